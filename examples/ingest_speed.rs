//! Times reading a CSV file natively: `Table::from_bytes` serially (one part) and in parallel parts (the default:
//! one per thread), then the summary and `prepare` with the detected roles, each with wall and CPU time:
//! `cargo run --release --example ingest_speed -- DATA.csv [RUNS]`. With RUNS = 0: one parallel read only, then
//! the process's peak and current resident memory (Linux), for the memory cost of reading in parts; with
//! `INGEST_PARTS=1` that read is serial. With `INGEST_LOAD=1`: RUNS times what `uplift fit` does before the fit on
//! the demo's columns (parse, roles, prepare with `--id user_id`, free the table), step by step.

use std::time::Instant;

use uplift_simulator::data::prepare::{prepare, prepare_taking_features};
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;

/// CPU seconds used by this process so far (user + system, all threads), from /proc/self/stat (Linux; 0 elsewhere).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn timed<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let out = f();
    println!(
        "{what}: {:.3} s wall, {:.2} s CPU",
        wall.elapsed().as_secs_f64(),
        cpu_seconds() - cpu
    );
    out
}

fn main() -> uplift_simulator::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).map_or("/tmp/d2m.csv", String::as_str);
    let runs: usize = args.get(2).and_then(|r| r.parse().ok()).unwrap_or(1);
    let bytes = timed("read the file", || std::fs::read(path)).map_err(|e| {
        uplift_simulator::Error::Io {
            path: path.into(),
            detail: e.to_string(),
        }
    })?;
    println!(
        "{path}: {} bytes, {} threads",
        bytes.len(),
        rayon::current_num_threads()
    );
    if std::env::var("INGEST_LOAD").is_ok() {
        return load_like_the_command(bytes, runs.max(1));
    }
    if runs == 0 {
        let parts: usize = std::env::var("INGEST_PARTS")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(rayon::current_num_threads());
        let table = timed(&format!("from_bytes, {parts} parts"), || {
            Table::from_bytes_in_parts(&bytes, parts)
        })?;
        drop(bytes);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        for l in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("{l}");
        }
        println!("{} rows", table.n_rows);
        return Ok(());
    }
    for _ in 0..runs {
        timed("from_bytes, 1 part", || {
            Table::from_bytes_in_parts(&bytes, 1)
        })?;
        timed("from_bytes (parallel parts)", || Table::from_bytes(&bytes))?;
    }
    let table = Table::from_bytes(&bytes)?;
    drop(bytes);
    timed("summary", || table.summary());
    let roles = detect_roles(&table);
    timed("prepare (detected roles)", || prepare(&table, &roles))?;
    Ok(())
}

/// The native command's read and prepare (`load` in src/bin/uplift.rs) on a file of the demo's columns, timed by step.
fn load_like_the_command(bytes: Vec<u8>, runs: usize) -> uplift_simulator::Result<()> {
    for _ in 0..runs {
        let t0 = (Instant::now(), cpu_seconds());
        let mut table = timed("  from_bytes", || Table::from_bytes(&bytes))?;
        let mut roles = timed("  detect_roles", || detect_roles(&table));
        roles.id = Some("user_id".into());
        let prepared = timed("  prepare (taking the features)", || {
            prepare_taking_features(&mut table, &roles)
        })?;
        timed("  drop the table", || drop(table));
        println!(
            "load: {:.3} s wall, {:.2} s CPU ({} rows kept)",
            t0.0.elapsed().as_secs_f64(),
            cpu_seconds() - t0.1,
            prepared.n_rows()
        );
    }
    Ok(())
}
