//! Speed and accuracy of our gradient-boosted trees against forust-ml 0.8, same data, same settings, same run.
//!
//! ```text
//! cargo bench --bench gbdt --features bench-forust            # native, ours vs forust
//! cargo bench --bench gbdt                                    # native, ours only
//! GBDT_BENCH_CSV=/tmp/gbdt.csv cargo bench --bench gbdt       # also write the data for scripts/compare_lightgbm.py
//! ```
//! Env: GBDT_BENCH_ROWS (training rows, default 1,000,000; 200,000 more are held out), GBDT_BENCH_RUNS
//! (default 3; medians are reported), GBDT_BENCH_FORUST=0 (ours only, for A/B runs of our own changes),
//! GBDT_BENCH_OBJECTIVE=squared (squared error on the same 0/1 target, held-out mean squared error reported;
//! default log loss). Settings: 100 trees, depth 6, learning rate 0.1, L2 1, min child weight 1, 255 bins.
//! Data: 12 features with a known logistic truth (seeded, see `generate`).
//! The same file builds for wasm32-wasip1 and runs under node (scripts/bench-wasm.mjs).

use std::io::Write;
use std::time::Instant;

use uplift_simulator::learners::gbdt::{Gbdt, GbdtParams};
use uplift_simulator::learners::{FitData, Objective, Predictor};

#[path = "common/gbdt_data.rs"]
mod gbdt_data;
use gbdt_data::{design_of, generate, N_FEATURES};

const TREES: usize = 100;
const DEPTH: usize = 6;
const LR: f64 = 0.1;

fn log_loss(p: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for (&p, &y) in p.iter().zip(y) {
        let p = p.clamp(1e-15, 1.0 - 1e-15);
        s -= y * p.ln() + (1.0 - y) * (1.0 - p).ln();
    }
    s / p.len() as f64
}

fn mean_squared_error(p: &[f64], y: &[f64]) -> f64 {
    let s: f64 = p.iter().zip(y).map(|(p, y)| (p - y) * (p - y)).sum();
    s / p.len() as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // `cargo bench` passes `--bench`; without it (`cargo test --all-targets`) run a small smoke version.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let n_train = env_usize("GBDT_BENCH_ROWS", if smoke { 20_000 } else { 1_000_000 });
    let n_test = if smoke { 5_000 } else { 200_000 };
    let runs = env_usize("GBDT_BENCH_RUNS", if smoke { 1 } else { 3 }).max(1);
    let squared = std::env::var("GBDT_BENCH_OBJECTIVE").is_ok_and(|v| v == "squared");
    let (objective, objective_name, metric) = if squared {
        (
            Objective::SquaredError,
            "squared error",
            "mean squared error",
        )
    } else {
        (Objective::LogLoss, "log loss", "log loss")
    };
    let held_out = |p: &[f64], y: &[f64]| {
        if squared {
            mean_squared_error(p, y)
        } else {
            log_loss(p, y)
        }
    };
    let target = if cfg!(target_arch = "wasm32") {
        "wasm32"
    } else {
        "native"
    };
    println!(
        "gbdt bench ({target}): {n_train} training rows + {n_test} held out, {N_FEATURES} features, \
         {TREES} trees, depth {DEPTH}, learning rate {LR}, {objective_name}, {runs} runs"
    );
    let (cols, y) = generate(n_train + n_test, 20_260_101);
    let rate = y[..n_train].iter().sum::<f64>() / n_train as f64;
    println!("positive rate (training part): {rate:.4}");

    if let Ok(path) = std::env::var("GBDT_BENCH_CSV") {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).expect("create CSV"));
        let header: Vec<String> = (0..N_FEATURES).map(|j| format!("x{j}")).collect();
        writeln!(f, "{},y,part", header.join(",")).unwrap();
        for i in 0..n_train + n_test {
            for c in &cols {
                let v = c[i];
                if v.is_nan() {
                    write!(f, ",").unwrap();
                } else {
                    write!(f, "{v},").unwrap();
                }
            }
            writeln!(f, "{},{}", y[i], if i < n_train { "train" } else { "test" }).unwrap();
        }
        println!("wrote {path}");
    }

    // ---- ours: binning (the product bins once per data set) + fit; predict held out ----
    let params = GbdtParams {
        trees: TREES,
        max_depth: DEPTH,
        learning_rate: LR,
        l2: 1.0,
        min_child_weight: 1.0,
        ..GbdtParams::default()
    };
    let train_rows: Vec<u32> = (0..n_train as u32).collect();
    let test_rows: Vec<u32> = (n_train as u32..(n_train + n_test) as u32).collect();
    #[cfg(feature = "bench-forust")]
    let forust_data = {
        let mut train_flat = Vec::with_capacity(n_train * N_FEATURES);
        let mut test_flat = Vec::with_capacity(n_test * N_FEATURES);
        for c in &cols {
            train_flat.extend_from_slice(&c[..n_train]);
            test_flat.extend_from_slice(&c[n_train..]);
        }
        (train_flat, test_flat, vec![1.0; n_train])
    };
    // Runs alternate (ours, forust, ours, forust, …) so a busy machine slows both alike.
    // forust's figures are filled only with the `bench-forust` feature.
    #[cfg_attr(not(feature = "bench-forust"), allow(unused_mut))]
    let (mut t_bin, mut t_fit, mut t_forust) = (Vec::new(), Vec::new(), Vec::new());
    #[cfg_attr(not(feature = "bench-forust"), allow(unused_mut))]
    let (mut ours_loss, mut forust_loss) = (0.0, f64::NAN);
    for run in 0..runs {
        // ---- ours: binning (the product bins once per data set) + fit; predict held out ----
        let t0 = Instant::now();
        let design = design_of(&cols);
        let t1 = Instant::now();
        let data = FitData {
            design: &design,
            rows: &train_rows,
            target: &y[..n_train],
            weight: None,
        };
        let model = Gbdt::new(params.clone())
            .fit_model(&data, objective, &|| false, &|_, _| {})
            .expect("fit");
        let t2 = Instant::now();
        t_bin.push((t1 - t0).as_secs_f64());
        t_fit.push((t2 - t1).as_secs_f64());
        ours_loss = held_out(&model.predict(&design, &test_rows), &y[n_train..]);
        if run == 0 {
            // FNV-1a of the serialized model: equal natively and in wasm, on any number of threads.
            let json = serde_json::to_string(&model).expect("serialize");
            let h = json.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
            });
            println!("model checksum (FNV-1a of its JSON): {h:016x}");
        }
        drop(design);
        println!(
            "run {run}: ours bin {:.3} s + fit {:.3} s",
            t_bin[run], t_fit[run]
        );

        // ---- forust (bins inside `fit`, so its time compares with our bin + fit) ----
        #[cfg(feature = "bench-forust")]
        if std::env::var("GBDT_BENCH_FORUST").map_or(true, |v| v != "0") {
            use forust_ml::objective::ObjectiveType;
            use forust_ml::{GradientBooster, Matrix};
            let (train_flat, test_flat, w) = &forust_data;
            let train = Matrix::new(train_flat, n_train, N_FEATURES);
            let test = Matrix::new(test_flat, n_test, N_FEATURES);
            let parallel = !cfg!(target_arch = "wasm32");
            let t0 = Instant::now();
            let mut b = GradientBooster::default()
                .set_objective_type(if squared {
                    ObjectiveType::SquaredLoss
                } else {
                    ObjectiveType::LogLoss
                })
                .set_iterations(TREES)
                .set_learning_rate(LR as f32)
                .set_max_depth(DEPTH)
                .set_l2(1.0)
                .set_min_leaf_weight(1.0)
                .set_nbins(256)
                .set_parallel(parallel);
            b.fit(&train, &y[..n_train], w, None).expect("forust fit");
            t_forust.push(t0.elapsed().as_secs_f64());
            let raw = b.predict(&test, parallel);
            let p: Vec<f64> = if squared {
                raw
            } else {
                raw.iter().map(|s| 1.0 / (1.0 + (-s).exp())).collect()
            };
            forust_loss = held_out(&p, &y[n_train..]);
            println!("run {run}: forust fit {:.3} s", t_forust[run]);
        }
    }
    let ms = |v: &[f64]| {
        v.iter()
            .map(|t| (t * 1000.0).round() / 1000.0)
            .collect::<Vec<_>>()
    };
    let ours_fit = median(t_fit.clone());
    let ours_total = median(t_bin.iter().zip(&t_fit).map(|(a, b)| a + b).collect());
    println!(
        "ours:   bin {:.3} s + fit {:.3} s; bin + fit {:.3} s (medians of {runs}; fit runs {:?}), held-out {metric} {:.6}",
        median(t_bin.clone()),
        ours_fit,
        ours_total,
        ms(&t_fit),
        ours_loss
    );
    if !t_forust.is_empty() {
        let f = median(t_forust.clone());
        println!(
            "forust: fit {:.3} s (median of {runs}; runs {:?}), held-out {metric} {:.6}",
            f,
            ms(&t_forust),
            forust_loss
        );
        println!(
            "speed-up over forust ({target}): {:.2}x (our bin + fit), {:.2}x (our fit alone)",
            f / ours_total,
            f / ours_fit
        );
    }
}
