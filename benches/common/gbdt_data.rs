//! The GBDT benchmark's data, shared by `benches/gbdt.rs` and `examples/predict_speed.rs` (included with
//! `#[path]`: a file in a subfolder of benches/ is not a target of its own).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uplift_simulator::data::binning::{BinParams, BinnedMatrix};
use uplift_simulator::learners::Design;

pub const N_FEATURES: usize = 12;

/// Columns (NaN = missing) and 0/1 targets. Truth: logit = −1 + 0.9·x0 − 0.7·x1 + 0.5·x2·x3 + 0.6·[x4 > 0.5]
/// + 0.4·sin(2·x5) + 0.3·cat(x6) − 0.2·x7² + 0.25·[x8 missing]; x9..x11 are noise; x0, x8 have 5 % / 10 %
///   missing; x6 is a 6-level categorical code; x7 a rounded (coarse) value.
pub fn generate(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<f64>) {
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

/// The design of `cols` (binned; no raw matrix).
pub fn design_of(cols: &[Vec<f64>]) -> Design {
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
