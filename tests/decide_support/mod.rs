//! Shared fixtures of the decide tests: demo data with its true effects, parsed into columns.
#![allow(dead_code)]

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr_free::normal;
use uplift_simulator::data::generate::{write_demo, DemoParams};
use uplift_simulator::decide::archetype::Archetype;
use uplift_simulator::decide::Scored;

/// Demo users with the truth beside them.
pub struct Demo {
    pub treatment: Vec<bool>,
    pub outcome: Vec<f64>,
    pub revenue: Vec<f64>,
    pub engagement: Vec<String>,
    pub app_user: Vec<String>,
    /// f0..f11, NaN = missing.
    pub features: Vec<Vec<f64>>,
    pub true_uplift: Vec<f64>,
    pub p_control: Vec<f64>,
    pub p_treated: Vec<f64>,
    pub archetype: Vec<Archetype>,
}

/// Generate `rows` demo users with `seed` and parse data and truth.
pub fn demo(rows: usize, seed: u64) -> Demo {
    let mut data = Vec::new();
    let mut truth = Vec::new();
    write_demo(&DemoParams { rows, seed }, &mut data, Some(&mut truth)).unwrap();
    let data = String::from_utf8(data).unwrap();
    let truth = String::from_utf8(truth).unwrap();
    let mut d = Demo {
        treatment: Vec::new(),
        outcome: Vec::new(),
        revenue: Vec::new(),
        engagement: Vec::new(),
        app_user: Vec::new(),
        features: vec![Vec::new(); 12],
        true_uplift: Vec::new(),
        p_control: Vec::new(),
        p_treated: Vec::new(),
        archetype: Vec::new(),
    };
    for line in data.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        for j in 0..12 {
            d.features[j].push(c[1 + j].parse().unwrap_or(f64::NAN));
        }
        d.engagement.push(c[13].to_string());
        d.app_user.push(c[14].to_string());
        d.treatment.push(c[15] == "1");
        d.outcome.push(c[16].parse().unwrap());
        d.revenue.push(c[17].parse().unwrap());
    }
    for line in truth.lines().skip(1) {
        let c: Vec<&str> = line.split(',').collect();
        d.true_uplift.push(c[2].parse().unwrap());
        d.p_control.push(c[3].parse().unwrap());
        d.p_treated.push(c[4].parse().unwrap());
        d.archetype.push(Archetype::from_code(c[5]).unwrap());
    }
    d
}

/// Synthetic scores: τ̂ = τ + se·ε with se drawn per user from [se_min, se_max] (seeded), p̂0 = p0 and
/// p̂1 = p1 exactly. Fast and explainable: the review queue should catch the users the noise misplaces.
pub fn noisy_scores(d: &Demo, se_min: f64, se_max: f64, seed: u64) -> Scored {
    use rand::Rng;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n = d.true_uplift.len();
    let mut uplift = Vec::with_capacity(n);
    let mut se = Vec::with_capacity(n);
    for i in 0..n {
        let s = se_min + (se_max - se_min) * rng.gen::<f64>();
        uplift.push(d.true_uplift[i] + s * normal(&mut rng));
        se.push(s);
    }
    let mut s = Scored::new(uplift, d.treatment.clone(), d.outcome.clone());
    s.uplift_se = Some(se);
    s.p_control = Some(d.p_control.clone());
    s.p_treated = Some(d.p_treated.clone());
    s.revenue = Some(d.revenue.clone());
    s
}

mod rand_distr_free {
    use rand::Rng;
    use rand_chacha::ChaCha8Rng;
    /// Standard normal draw (Box–Muller).
    pub fn normal(rng: &mut ChaCha8Rng) -> f64 {
        let u1: f64 = 1.0 - rng.gen::<f64>();
        let u2: f64 = rng.gen::<f64>();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }
}
