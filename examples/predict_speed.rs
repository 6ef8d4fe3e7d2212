//! Speed of GBDT batch prediction (`learners::gbdt::predict`), the kernel behind an uplift fit's predictions:
//! one log-loss model (100 trees, depth 6, fit on 200,000 rows of the `benches/gbdt.rs` data) scores 2,000,000
//! rows, then every 5th row (the out-of-fold pattern), three times; ns per row-level = wall / (rows · trees ·
//! depth) on the machine's threads. The checksum must not change when the kernel does (same bits). An
//! argument sets the depth (e.g. 4, the effect models' depth in an uplift fit).
//!
//! ```text
//! cargo run --release --example predict_speed [-- DEPTH]
//! ```

use std::time::Instant;
use uplift_simulator::learners::gbdt::{Gbdt, GbdtParams};
use uplift_simulator::learners::{FitData, Objective, Predictor};

#[path = "../benches/common/gbdt_data.rs"]
mod gbdt_data;
use gbdt_data::{design_of, generate};

const TREES: usize = 100;
const DEPTH: usize = 6;
const LR: f64 = 0.1;

fn main() {
    let depth: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(DEPTH);
    let n = 2_000_000;
    let (cols, y) = generate(n, 1);
    let design = design_of(&cols);
    let train: Vec<u32> = (0..200_000).collect();
    let params = GbdtParams {
        trees: TREES,
        max_depth: depth,
        learning_rate: LR,
        ..GbdtParams::default()
    };
    let model = Gbdt::new(params)
        .fit_model(
            &FitData {
                design: &design,
                rows: &train,
                target: &y[..200_000],
                weight: None,
            },
            Objective::LogLoss,
            &|| false,
            &|_, _| {},
        )
        .unwrap();
    let all: Vec<u32> = (0..n as u32).collect();
    let oof: Vec<u32> = (0..n as u32).step_by(5).collect();
    let mut sum = 0.0;
    // CPU seconds of the whole process (user + system, /proc/self/stat; Linux only, else 0)
    let cpu = || -> f64 {
        std::fs::read_to_string("/proc/self/stat")
            .ok()
            .and_then(|s| {
                let f: Vec<f64> = s
                    .rsplit(')')
                    .next()?
                    .split_whitespace()
                    .skip(11)
                    .take(2)
                    .filter_map(|v| v.parse().ok())
                    .collect();
                Some(f.iter().sum::<f64>() / 100.0)
            })
            .unwrap_or(0.0)
    };
    for run in 0..3 {
        let c0 = cpu();
        let t = Instant::now();
        let p = model.predict(&design, &all);
        let t1 = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let q = model.predict(&design, &oof);
        let t2 = t.elapsed().as_secs_f64();
        let c1 = cpu();
        sum += p.iter().sum::<f64>() + q.iter().sum::<f64>();
        println!(
            "run {run}: all {:.3} s ({:.2} ns/row-level), every 5th {:.3} s ({:.2} ns/row-level); CPU {:.2} s ({:.2} ns/row-level)",
            t1,
            t1 * 1e9 / (n * TREES * depth) as f64,
            t2,
            t2 * 1e9 / (n / 5 * TREES * depth) as f64,
            c1 - c0,
            (c1 - c0) * 1e9 / ((n + n / 5) * TREES * depth) as f64
        );
    }
    println!("checksum {sum:.17e} trees {}", model.n_trees());
}
