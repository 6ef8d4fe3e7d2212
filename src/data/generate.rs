//! The demo-data generator: a Criteo-like randomized test with known per-row effects; does not read files.
//!
//! Every row is drawn from a seeded ChaCha8 stream and formatted with fixed decimals, using `libm` for
//! transcendental functions, so the same seed gives byte-identical CSV natively and in wasm.
//!
//! The data: 12 numeric features `f0..f11` (skewed, counts, category codes, uniform, normal; `f5` and `f11`
//! partly missing), two audit attributes (`engagement`: low/medium/high, `app_user`: 0/1), `treatment`
//! (share 0.85), `conversion` (≈ 0.3 %), `revenue`. The true effect of each row goes to a separate truth file.
//!
//! How the effect is built (so users the product exists to find are really there):
//! - base rate p0(x) rises with `f4`, visits `f1`, history `f0` and `f6` (Sure Things: high p0, no effect);
//! - Persuadables: a smooth score in `f7`, `f3` and `f2 ∈ {1, 3}` adds up to +1.2 points of conversion;
//! - Do-Not-Disturbs: a score in `f11` and `f9 = 4` removes up to 60 % of the base rate;
//! - everyone else is a Lost Cause (low p0, effect ≈ 0).

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct DemoParams {
    /// Number of data rows, 1..=50,000,000 (default 200,000).
    pub rows: usize,
    /// Same seed ⇒ byte-identical files (default 42).
    pub seed: u64,
}

impl Default for DemoParams {
    fn default() -> Self {
        Self {
            rows: 200_000,
            seed: 42,
        }
    }
}

/// Thresholds used to label each row's true archetype in the truth file (the product's demo defaults:
/// cost per contact $0.10 ÷ value per conversion $40 = break-even uplift 0.0025).
pub const TRUE_PERSUADABLE_MIN: f64 = 0.0025;
/// True effect at or below this is a Do-Not-Disturb.
pub const TRUE_DND_MAX: f64 = -0.0010;
/// True base rate at or above this (and no large effect) is a Sure Thing.
pub const TRUE_SURE_THING_MIN_P0: f64 = 0.008;

/// The header of the data file.
pub const DATA_HEADER: &str =
    "user_id,f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,engagement,app_user,treatment,conversion,revenue";
/// The header of the truth file.
pub const TRUTH_HEADER: &str = "row,user_id,true_uplift,p_control,p_treated,archetype";

/// One generated user: the formatted data line and the truth.
struct Drawn {
    p0: f64,
    p1: f64,
}

/// Write the demo data (and optionally the truth) as CSV.
pub fn write_demo<W: Write, T: Write>(
    params: &DemoParams,
    data: &mut W,
    mut truth: Option<&mut T>,
) -> Result<()> {
    if params.rows == 0 || params.rows > 50_000_000 {
        return Err(Error::BadParam {
            name: "rows",
            expected: "between 1 and 50,000,000",
            found: params.rows.to_string(),
        });
    }
    let io = |e: std::io::Error| Error::Io {
        path: "output".into(),
        detail: e.to_string(),
    };
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut line = String::with_capacity(160);
    writeln!(data, "{DATA_HEADER}").map_err(io)?;
    if let Some(t) = truth.as_mut() {
        writeln!(t, "{TRUTH_HEADER}").map_err(io)?;
    }
    for i in 0..params.rows {
        line.clear();
        let d = draw_row(&mut rng, i, &mut line);
        data.write_all(line.as_bytes()).map_err(io)?;
        if let Some(t) = truth.as_mut() {
            let tau = d.p1 - d.p0;
            writeln!(
                t,
                "{i},u{:07},{:.6},{:.6},{:.6},{}",
                i + 1,
                tau,
                d.p0,
                d.p1,
                true_archetype(tau, d.p0)
            )
            .map_err(io)?;
        }
    }
    Ok(())
}

/// The demo data as one CSV string (what the page offers for download).
pub fn demo_csv(params: &DemoParams) -> Result<String> {
    let mut out = Vec::with_capacity(params.rows.saturating_mul(96));
    write_demo::<_, Vec<u8>>(params, &mut out, None)?;
    // Only ASCII is ever written.
    Ok(String::from_utf8(out).expect("generator writes ASCII"))
}

/// The archetype a row truly belongs to, by the thresholds above (names as the product uses them).
pub fn true_archetype(tau: f64, p0: f64) -> &'static str {
    if tau >= TRUE_PERSUADABLE_MIN {
        "persuadable"
    } else if tau <= TRUE_DND_MAX {
        "do_not_disturb"
    } else if p0 >= TRUE_SURE_THING_MIN_P0 {
        "sure_thing"
    } else {
        "lost_cause"
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-z))
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    // Box–Muller with libm, so wasm and native agree bit for bit.
    let u1: f64 = 1.0 - rng.gen::<f64>(); // (0, 1]
    let u2: f64 = rng.gen::<f64>();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

fn poisson(rng: &mut ChaCha8Rng, mean: f64) -> u32 {
    // Knuth's method: fine for the small means used here.
    let limit = libm::exp(-mean);
    let mut k = 0;
    let mut p = rng.gen::<f64>();
    while p > limit && k < 60 {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

fn draw_row(rng: &mut ChaCha8Rng, i: usize, out: &mut String) -> Drawn {
    use std::fmt::Write as _;
    let f0 = libm::exp(0.9 * normal(rng) + 3.0); // skewed: past spend, median ≈ 20
    let f1 = poisson(rng, 2.0); // count: visits
    let f2 = rng.gen_range(0..8u32); // category code
    let f3: f64 = rng.gen(); // uniform
    let f4 = normal(rng);
    let f5_missing = rng.gen::<f64>() < 0.15;
    let f5 = -libm::log(1.0 - rng.gen::<f64>()); // exponential
    let f6 = u32::from(rng.gen::<f64>() < 0.3);
    let f7 = normal(rng);
    let f8 = poisson(rng, 0.5);
    let f9 = {
        let u: f64 = rng.gen();
        [0.40, 0.65, 0.82, 0.93, 1.0]
            .iter()
            .position(|&c| u < c)
            .unwrap_or(4) as u32
    };
    let f10 = {
        let u: f64 = rng.gen();
        u * u
    };
    let f11_missing = rng.gen::<f64>() < 0.08;
    let f11 = normal(rng);
    let engagement = {
        let z = f1 as f64 + 0.8 * normal(rng);
        if z < 1.5 {
            "low"
        } else if z < 3.5 {
            "medium"
        } else {
            "high"
        }
    };
    let app_user = u32::from(rng.gen::<f64>() < 0.25 + 0.3 * f6 as f64);

    // True model. Missing values count as 0 for the effect.
    let f11v = if f11_missing { 0.0 } else { f11 };
    let sure = 1.3 * f4 + 0.35 * (f1.min(6) as f64) + 0.3 * libm::log1p(f0) + 0.4 * f6 as f64;
    let persuade = 1.5 * f7 + 2.0 * (f3 - 0.5) + if f2 == 1 || f2 == 3 { 0.9 } else { 0.0 };
    let disturb = 1.6 * f11v + if f9 == 4 { 1.2 } else { 0.0 };
    let dnd_share = sigmoid(3.0 * (disturb - 2.2));
    let p0 = sigmoid(-9.1 + sure + 1.2 * dnd_share);
    let lift = 0.009 * sigmoid(3.0 * (persuade - 2.0));
    let p1 = (p0 + lift - 0.6 * p0 * dnd_share).clamp(0.0, 1.0);

    let treated = rng.gen::<f64>() < 0.85;
    let p = if treated { p1 } else { p0 };
    let converted = rng.gen::<f64>() < p;
    let revenue = if converted {
        (40.0 * libm::exp(0.4 * normal(rng) - 0.08) * 100.0).round() / 100.0
    } else {
        0.0
    };

    let _ = write!(
        out,
        "u{:07},{:.2},{},{},{:.4},{:.4},",
        i + 1,
        f0,
        f1,
        f2,
        f3,
        f4
    );
    if !f5_missing {
        let _ = write!(out, "{:.4}", f5);
    }
    let _ = write!(out, ",{},{:.4},{},{},{:.4},", f6, f7, f8, f9, f10);
    if !f11_missing {
        let _ = write!(out, "{:.4}", f11);
    }
    let _ = writeln!(
        out,
        ",{},{},{},{},{:.2}",
        engagement,
        app_user,
        u32::from(treated),
        u32::from(converted),
        revenue
    );
    Drawn { p0, p1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generate(rows: usize, seed: u64) -> (String, String) {
        let mut data = Vec::new();
        let mut truth = Vec::new();
        write_demo(&DemoParams { rows, seed }, &mut data, Some(&mut truth)).unwrap();
        (
            String::from_utf8(data).unwrap(),
            String::from_utf8(truth).unwrap(),
        )
    }

    #[test]
    fn same_seed_same_bytes_other_seed_other_bytes() {
        let (a, ta) = generate(2_000, 7);
        let (b, tb) = generate(2_000, 7);
        let (c, _) = generate(2_000, 8);
        assert_eq!(a, b);
        assert_eq!(ta, tb);
        assert_ne!(a, c);
        assert_eq!(
            demo_csv(&DemoParams {
                rows: 2_000,
                seed: 7
            })
            .unwrap(),
            a
        );
    }

    #[test]
    fn every_line_has_every_column_and_truth_stays_out_of_the_data() {
        let (data, truth) = generate(500, 1);
        let n_cols = DATA_HEADER.split(',').count();
        assert!(data.lines().all(|l| l.split(',').count() == n_cols));
        assert_eq!(data.lines().count(), 501);
        assert_eq!(truth.lines().count(), 501);
        assert!(!DATA_HEADER.contains("uplift") && !DATA_HEADER.contains("archetype"));
    }

    #[test]
    fn zero_rows_is_refused_in_plain_words() {
        let err = demo_csv(&DemoParams { rows: 0, seed: 1 }).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Setting “rows” is 0, but it must be between 1 and 50,000,000."
        );
    }
}
