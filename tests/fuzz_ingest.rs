//! A stable-Rust fuzz harness (cargo-fuzz needs nightly and libFuzzer; this runs anywhere, seeded):
//! random mutations of the hostile fixtures and of the committed corpus (fuzz/corpus/) are driven through the
//! real path `Table::from_bytes` → `detect_roles` (sometimes with random roles) → `prepare` → a tiny fit.
//! A panic, a non-finite score or an input slower than `SLOW_MS` is a failure; the input is saved to
//! fuzz/crashes/. Feedback: an input whose outcome (the first words of its message, or "ok") is new is kept
//! in memory and mutated further; with `FUZZ_SAVE=1` it is also written to fuzz/corpus/.
//!
//! CI runs a few seconds (`fuzz_smoke`). The long run (docs/RELIABILITY.md):
//!   FUZZ_SECONDS=1800 FUZZ_SEED=1 FUZZ_SAVE=1 nice -n 19 cargo test --test fuzz_ingest -- --ignored --nocapture

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use uplift_simulator::data::prepare::prepare;
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::pipeline::run::{score, RunParams};

/// An input that takes longer than this (debug build) counts as a hang.
const SLOW_MS: u128 = 10_000;
/// Inputs are kept below this size (bigger mutants are cut).
const MAX_LEN: usize = 16 * 1024;

/// Fragments that often break CSV readers and number parsers.
const TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"inf",
    b"-inf",
    b"1e999",
    b"NaN",
    b"NA",
    b"",
    b"-0",
    b"1,5",
    b"1,234.5",
    b"=cmd|' /C calc'!A0",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xC3",
    b"\xE9",
    b"\x00",
    b"0",
    b"1",
    b"2",
    b"-1",
    b"maybe",
    b"treatment",
    b"conversion",
    b"revenue",
    b"1e308",
    b"0x10",
    b"  ",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The seeds: the small hostile fixtures and the saved corpus.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in ["tests/hostile", "fuzz/corpus"] {
        let Ok(entries) = std::fs::read_dir(root().join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                if bytes.len() <= MAX_LEN {
                    out.push(bytes);
                }
            }
        }
    }
    out
}

fn mutate(rng: &mut ChaCha8Rng, pool: &[Vec<u8>]) -> Vec<u8> {
    let mut b = pool[rng.gen_range(0..pool.len())].clone();
    for _ in 0..rng.gen_range(1..=4) {
        let n = b.len();
        match rng.gen_range(0..9) {
            0 if n > 0 => {
                let i = rng.gen_range(0..n);
                b[i] ^= 1 << rng.gen_range(0..8);
            }
            1 if n > 0 => {
                let i = rng.gen_range(0..n);
                b[i] = rng.gen();
            }
            2 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                let i = rng.gen_range(0..=n);
                b.splice(i..i, t.iter().copied());
            }
            3 if n > 0 => {
                let i = rng.gen_range(0..n);
                let j = (i + rng.gen_range(1..=16)).min(n);
                b.drain(i..j);
            }
            4 if n > 0 => {
                // Replace one field-like run (between delimiters) by a token.
                let i = rng.gen_range(0..n);
                let end = b[i..]
                    .iter()
                    .position(|c| b",;\t\n".contains(c))
                    .map_or(n, |k| i + k);
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                b.splice(i..end, t.iter().copied());
            }
            5 if n > 0 => {
                // Duplicate a line.
                let lines: Vec<&[u8]> = b.split(|&c| c == b'\n').collect();
                let k = rng.gen_range(0..lines.len());
                let mut out = Vec::with_capacity(n * 2);
                for (m, l) in lines.iter().enumerate() {
                    out.extend_from_slice(l);
                    out.push(b'\n');
                    if m == k {
                        out.extend_from_slice(l);
                        out.push(b'\n');
                    }
                }
                b = out;
            }
            6 => b.truncate(rng.gen_range(0..=n)),
            7 => {
                // Splice the tail of another input.
                let other = &pool[rng.gen_range(0..pool.len())];
                let i = rng.gen_range(0..=n);
                let j = rng.gen_range(0..=other.len());
                b.truncate(i);
                b.extend_from_slice(&other[j..]);
            }
            _ => {
                // Swap two bytes far apart.
                if n > 1 {
                    let (i, j) = (rng.gen_range(0..n), rng.gen_range(0..n));
                    b.swap(i, j);
                }
            }
        }
    }
    b.truncate(MAX_LEN);
    b
}

/// Run one input; the outcome's label ("ok" or the message's first words). Panics propagate.
fn drive(bytes: &[u8], role_seed: Option<u64>) -> String {
    let table = match Table::from_bytes(bytes) {
        Ok(t) => t,
        Err(e) => return label(&e.to_string()),
    };
    let mut roles = detect_roles(&table);
    if let Some(s) = role_seed {
        // Random (possibly absurd) role choices: any column may be picked for any role.
        let mut rng = ChaCha8Rng::seed_from_u64(s);
        let names: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
        let pick = |rng: &mut ChaCha8Rng| names[rng.gen_range(0..names.len())].clone();
        roles.treatment = pick(&mut rng);
        roles.outcome = pick(&mut rng);
        if rng.gen_bool(0.3) {
            roles.revenue = Some(pick(&mut rng));
        }
        if rng.gen_bool(0.3) {
            roles.control_value = Some("0".into());
            roles.treatment_values = vec!["1".into()];
        }
        if rng.gen_bool(0.3) {
            roles.audit = vec![pick(&mut rng)];
        }
    }
    let prepared = match prepare(&table, &roles) {
        Ok(p) => p,
        Err(e) => return label(&e.to_string()),
    };
    let mut params = RunParams::default();
    params.base.gbdt.trees = 3;
    params.uplift.folds = 2;
    match score(&prepared, &params, &mut |_, _| {}, &|| false, None) {
        Ok(run) => {
            assert_eq!(run.fit.uplift.len(), prepared.n_rows());
            assert!(
                run.fit.uplift.iter().all(|u| u.is_finite()),
                "non-finite score"
            );
            "ok".into()
        }
        Err(e) => label(&e.to_string()),
    }
}

/// The message with numbers and quoted values removed, first 6 words: one label per kind of outcome.
fn label(msg: &str) -> String {
    let plain: String = msg.chars().filter(|c| !c.is_ascii_digit()).collect();
    let mut out = String::new();
    let mut quoted = false;
    for c in plain.chars() {
        match c {
            '“' => quoted = true,
            '”' => quoted = false,
            _ if !quoted => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().take(6).collect::<Vec<_>>().join(" ")
}

struct Report {
    execs: u64,
    fits: u64,
    outcomes: BTreeMap<String, u64>,
    failures: Vec<String>,
}

fn fuzz(duration: Duration, seed: u64, save: bool) -> Report {
    let mut pool = seeds();
    assert!(pool.len() >= 30, "the hostile fixtures are the seeds");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut report = Report {
        execs: 0,
        fits: 0,
        outcomes: BTreeMap::new(),
        failures: Vec::new(),
    };
    let start = Instant::now();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    while start.elapsed() < duration {
        let input = mutate(&mut rng, &pool);
        let role_seed = rng.gen_bool(0.25).then(|| rng.gen());
        let t = Instant::now();
        let result = catch_unwind(AssertUnwindSafe(|| drive(&input, role_seed)));
        let ms = t.elapsed().as_millis();
        report.execs += 1;
        let failure = match &result {
            Err(p) => Some(format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            )),
            Ok(_) if ms > SLOW_MS => Some(format!("slow: {ms} ms")),
            Ok(_) => None,
        };
        if let Some(why) = failure {
            let name = format!("crash-{seed}-{}", report.execs);
            save_input(&root().join("fuzz/crashes"), &name, &input);
            report
                .failures
                .push(format!("{name} ({role_seed:?}): {why}"));
            continue;
        }
        let outcome = result.unwrap_or_default();
        if outcome == "ok" {
            report.fits += 1;
        }
        let seen = report.outcomes.entry(outcome).or_insert(0);
        *seen += 1;
        if *seen == 1 {
            // A new kind of outcome: keep the input to mutate further.
            if save && input.len() <= 4096 {
                save_input(
                    &root().join("fuzz/corpus"),
                    &format!("{seed}-{}", report.execs),
                    &input,
                );
            }
            pool.push(input);
        }
    }
    std::panic::set_hook(quiet);
    report
}

fn save_input(dir: &Path, name: &str, bytes: &[u8]) {
    let _ = std::fs::create_dir_all(dir);
    let _ = std::fs::write(dir.join(name), bytes);
}

fn print(r: &Report, secs: f64) {
    eprintln!(
        "fuzz: {} executions in {secs:.0} s ({:.0}/s), {} fits, {} outcome kinds, {} failures",
        r.execs,
        r.execs as f64 / secs,
        r.fits,
        r.outcomes.len(),
        r.failures.len()
    );
    for (k, n) in &r.outcomes {
        eprintln!("  {n:>8}  {k}");
    }
    for f in &r.failures {
        eprintln!("  FAILURE {f}");
    }
}

#[test]
fn fuzz_smoke() {
    let secs = 3.0;
    let r = fuzz(Duration::from_secs_f64(secs), 7, false);
    print(&r, secs);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert!(r.execs > 20, "the harness ran only {} inputs", r.execs);
}

#[test]
#[ignore = "long run: FUZZ_SECONDS=1800 (see the module docs)"]
fn fuzz_long() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let secs = env("FUZZ_SECONDS", 60);
    let seed = env("FUZZ_SEED", 1);
    let save = env("FUZZ_SAVE", 0) == 1;
    let r = fuzz(Duration::from_secs(secs), seed, save);
    print(&r, secs as f64);
    assert!(r.failures.is_empty(), "{:?}", r.failures);
}
