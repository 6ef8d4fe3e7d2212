//! Shared helpers of the uplift integration tests: data with known effects, learners, statistics.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use uplift_simulator::data::binning::{BinParams, BinnedMatrix};
use uplift_simulator::data::generate::{write_demo, DemoParams};
use uplift_simulator::data::prepare::prepare;
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::learners::logistic::Logistic;
use uplift_simulator::learners::{CancelFn, Design, FitData, Learner, Objective, Predictor};
use uplift_simulator::uplift::{fit_uplift, BaseSpec, Role, UpliftFit, UpliftParams};
use uplift_simulator::Result;

/// A randomized test with its true per-row effects.
pub struct Known {
    pub design: Design,
    pub treatment: Vec<bool>,
    pub outcome: Vec<f64>,
    pub true_uplift: Vec<f64>,
    pub true_p0: Vec<f64>,
}

/// The project's demo generator (src/data/generate.rs) through the real ingest path: 0.3 % conversion,
/// 85 % treated, 14 features, effects up to about +0.9 points.
pub fn demo(rows: usize, seed: u64) -> Known {
    let mut data = Vec::new();
    let mut truth = Vec::new();
    write_demo(&DemoParams { rows, seed }, &mut data, Some(&mut truth)).unwrap();
    let table = Table::from_bytes(&data).unwrap();
    let prepared = prepare(&table, &detect_roles(&table)).unwrap();
    let truth: Vec<(f64, f64)> = String::from_utf8(truth)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].parse().unwrap(), f[3].parse().unwrap())
        })
        .collect();
    let keep = |i: &u32| truth[*i as usize];
    Known {
        design: prepared.design(&BinParams::default()),
        treatment: prepared.treatment.clone(),
        outcome: prepared.outcome.clone(),
        true_uplift: prepared.rows.iter().map(|i| keep(i).0).collect(),
        true_p0: prepared.rows.iter().map(|i| keep(i).1).collect(),
    }
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-z))
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(2.0 * std::f64::consts::PI * u2)
}

/// A test where logistic regression is the right model in each arm (so a T-learner on logistic regression is
/// unbiased): 4 normal features, `treated_share` treated,
/// logit p0 = −1.5 + 0.8·x0 + 0.5·x1, logit p1 = logit p0 + 0.2 + 0.9·x2 (x3 is noise).
/// Base rate ≈ 0.2; the effect ranges from about −0.15 to +0.4 and depends mostly on x2.
pub fn logit_world(n: usize, treated_share: f64, seed: u64) -> Known {
    logit_world_with_base(n, treated_share, -1.5, seed)
}

/// [`logit_world`] with another intercept of logit p0 (−4.5 gives a base rate near 1.7 %).
pub fn logit_world_with_base(n: usize, treated_share: f64, intercept: f64, seed: u64) -> Known {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    let (mut t, mut y, mut tau, mut p0s) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let x: Vec<f64> = (0..4).map(|_| normal(&mut rng)).collect();
        let eta0 = intercept + 0.8 * x[0] + 0.5 * x[1];
        let p0 = sigmoid(eta0);
        let p1 = sigmoid(eta0 + 0.2 + 0.9 * x[2]);
        let treated = rng.gen::<f64>() < treated_share;
        let conv = rng.gen::<f64>() < if treated { p1 } else { p0 };
        for (c, v) in cols.iter_mut().zip(&x) {
            c.push(*v);
        }
        t.push(treated);
        y.push(if conv { 1.0 } else { 0.0 });
        tau.push(p1 - p0);
        p0s.push(p0);
    }
    Known {
        design: design_of(&cols),
        treatment: t,
        outcome: y,
        true_uplift: tau,
        true_p0: p0s,
    }
}

/// A design from raw columns.
pub fn design_of(cols: &[Vec<f64>]) -> Design {
    let n = cols[0].len();
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let mut raw = Array2::zeros((n, cols.len()));
    for (j, c) in cols.iter().enumerate() {
        for (i, v) in c.iter().enumerate() {
            raw[[i, j]] = *v;
        }
    }
    Design {
        names: (0..cols.len()).map(|j| format!("x{j}")).collect(),
        binned: BinnedMatrix::from_columns(&refs, &BinParams::default()),
        raw,
    }
}

pub fn never() -> bool {
    false
}

/// The logistic learner for every model.
pub fn logistic(_: &BaseSpec) -> Box<dyn Learner> {
    Box::new(Logistic::default())
}

/// Fit with the logistic learner, no progress, no clock.
pub fn fit(k: &Known, params: &UpliftParams) -> Result<UpliftFit> {
    fit_uplift(
        &k.design,
        &k.treatment,
        &k.outcome,
        params,
        &logistic,
        &mut |_, _| {},
        &never,
        None,
    )
}

/// What one fit saw: the spec and the rows and weights it was given.
#[derive(Debug, Clone)]
pub struct Seen {
    pub spec: BaseSpec,
    pub rows: Vec<u32>,
    pub weight: Option<Vec<f64>>,
    pub target: Vec<f64>,
}

/// A logistic learner that records every fit.
pub struct Recording {
    pub spec: BaseSpec,
    pub log: Arc<Mutex<Vec<Seen>>>,
}

impl Learner for Recording {
    fn fit(
        &self,
        data: &FitData,
        objective: Objective,
        cancel: CancelFn,
    ) -> Result<Box<dyn Predictor>> {
        self.log.lock().unwrap().push(Seen {
            spec: self.spec.clone(),
            rows: data.rows.to_vec(),
            weight: data.weight.map(<[f64]>::to_vec),
            target: data.target.to_vec(),
        });
        Logistic::default().fit(data, objective, cancel)
    }
    fn name(&self) -> &'static str {
        "recording"
    }
}

/// Pearson correlation.
pub fn pearson(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    sab / (saa * sbb).sqrt()
}

/// Spearman rank correlation (ties broken by index; fine for continuous scores).
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let rank = |v: &[f64]| {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        for (pos, &i) in idx.iter().enumerate() {
            r[i] = pos as f64;
        }
        r
    };
    pearson(&rank(a), &rank(b))
}

/// Roles that are outcome models (log loss).
pub fn is_outcome(role: Role) -> bool {
    matches!(role, Role::Control | Role::Treated | Role::Outcome)
}
