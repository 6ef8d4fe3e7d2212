//! Speed of GBDT batch prediction (`learners::gbdt::predict`), the kernel behind an uplift fit's predictions:
//! one log-loss model (100 trees, depth 6, fit on 200,000 rows of the `benches/gbdt.rs` data) scores 2,000,000
//! rows, then every 5th row (the out-of-fold pattern), three times; ns per row-level = wall / (rows · trees ·
//! depth) on the machine's threads. The checksum must not change when the kernel does (same bits).
//!
//! ```text
//! cargo run --release --example predict_speed
//! ```

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use uplift_simulator::data::binning::{BinParams, BinnedMatrix};
use uplift_simulator::learners::gbdt::{Gbdt, GbdtParams};
use uplift_simulator::learners::{Design, FitData, Objective, Predictor};

const N_FEATURES: usize = 12;
const TREES: usize = 100;
const DEPTH: usize = 6;
const LR: f64 = 0.1;

/// Columns (NaN = missing) and 0/1 targets. Truth: logit = −1 + 0.9·x0 − 0.7·x1 + 0.5·x2·x3 + 0.6·[x4 > 0.5]
/// + 0.4·sin(2·x5) + 0.3·cat(x6) − 0.2·x7² + 0.25·[x8 missing]; x9..x11 are noise; x0, x8 have 5 % / 10 %
///   missing; x6 is a 6-level categorical code; x7 a rounded (coarse) value.
fn generate(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cols: Vec<Vec<f64>> = (0..N_FEATURES).map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    let cat_effect = [-0.6, -0.2, 0.0, 0.1, 0.4, 0.8];
    for _ in 0..n {
        let mut x = [0.0f64; N_FEATURES];
        for v in x.iter_mut() {
            // roughly normal: sum of 3 uniforms, centred
            *v = rng.gen::<f64>() + rng.gen::<f64>() + rng.gen::<f64>() - 1.5;
        }
        x[6] = rng.gen_range(0..6) as f64;
        x[7] = (x[7] * 10.0).round() / 10.0;
        let x8_missing = rng.gen::<f64>() < 0.10;
        let z = -1.0 + 0.9 * x[0] - 0.7 * x[1]
            + 0.5 * x[2] * x[3]
            + if x[4] > 0.5 { 0.6 } else { 0.0 }
            + 0.4 * (2.0 * x[5]).sin()
            + 0.3 * cat_effect[x[6] as usize]
            - 0.2 * x[7] * x[7]
            + if x8_missing { 0.25 } else { 0.1 * x[8] };
        let p = 1.0 / (1.0 + (-z).exp());
        y.push(if rng.gen::<f64>() < p { 1.0 } else { 0.0 });
        if rng.gen::<f64>() < 0.05 {
            x[0] = f64::NAN;
        }
        if x8_missing {
            x[8] = f64::NAN;
        }
        for (c, v) in cols.iter_mut().zip(x) {
            c.push(v);
        }
    }
    (cols, y)
}

fn design_of(cols: &[Vec<f64>]) -> Design {
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let binned = BinnedMatrix::from_columns(&refs, &BinParams::default());
    let n = cols[0].len();
    // The trees read only the bins; the raw matrix is left empty to keep the benchmark's memory down.
    let _ = n;
    Design {
        names: (0..cols.len()).map(|j| format!("x{j}")).collect(),
        binned,
        raw: ndarray::Array2::zeros((0, cols.len())),
    }
}

fn main() {
    let n = 2_000_000;
    let (cols, y) = generate(n, 1);
    let design = design_of(&cols);
    let train: Vec<u32> = (0..200_000).collect();
    let params = GbdtParams {
        trees: TREES,
        max_depth: DEPTH,
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
    for run in 0..3 {
        let t = Instant::now();
        let p = model.predict(&design, &all);
        let t1 = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let q = model.predict(&design, &oof);
        let t2 = t.elapsed().as_secs_f64();
        sum += p.iter().sum::<f64>() + q.iter().sum::<f64>();
        println!(
            "run {run}: all {:.3} s ({:.2} ns/row-level), every 5th {:.3} s ({:.2} ns/row-level)",
            t1,
            t1 * 1e9 / (n * TREES * DEPTH) as f64,
            t2,
            t2 * 1e9 / (n / 5 * TREES * DEPTH) as f64
        );
    }
    println!("checksum {sum:.17e} trees {}", model.n_trees());
}
