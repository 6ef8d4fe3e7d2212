//! Query latency of the campaign simulator and fairness audit on 1M scored users (the slider path).
//!
//! Run: `cargo bench --bench simulator` (set `BENCH_USERS` to change the size). Prints build time, then the
//! median and 99th percentile per query of: a full `simulate` (4 policies + headline) at a random budget, and
//! a fairness audit (5 groups) of the uplift policy at that budget. Target: ≤ 50 µs per query natively.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uplift_simulator::decide::fairness::{AuditParams, FairnessIndex, GroupColumn};
use uplift_simulator::decide::{Budget, Policy, Scored, SimParams, Simulator};

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let n: usize = std::env::var("BENCH_USERS")
        .ok()
        .and_then(|v| v.parse().ok())
        // `cargo bench` passes `--bench`; without it (`cargo test --all-targets`) run a small smoke version.
        .unwrap_or(if std::env::args().any(|a| a == "--bench") {
            1_000_000
        } else {
            20_000
        });
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut s = Scored::new(
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let mut resp = Vec::with_capacity(n);
    let mut groups = Vec::with_capacity(n);
    for _ in 0..n {
        let tau = 0.01 * (rng.gen::<f64>() - 0.3);
        let p0 = 0.05 * rng.gen::<f64>();
        let t = rng.gen::<f64>() < 0.85;
        let p = if t { (p0 + tau).clamp(0.0, 1.0) } else { p0 };
        s.uplift.push(tau);
        s.treatment.push(t);
        s.outcome.push(f64::from(u8::from(rng.gen::<f64>() < p)));
        resp.push(p0 + tau);
        groups.push(["a", "b", "c", "d", "e"][rng.gen_range(0..5)]);
    }
    s.response_score = Some(resp);
    let t0 = Instant::now();
    let sim = Simulator::build(&s, &SimParams::default()).unwrap();
    let build = t0.elapsed();
    let t0 = Instant::now();
    let idx =
        FairnessIndex::build(&sim, GroupColumn::categorical("group", &groups).unwrap()).unwrap();
    let index_build = t0.elapsed();
    println!(
        "{n} users: simulator build {:.0} ms, fairness index build {:.0} ms",
        build.as_secs_f64() * 1e3,
        index_build.as_secs_f64() * 1e3
    );

    let queries = 20_000;
    let budgets: Vec<Budget> = (0..queries)
        .map(|i| match i % 3 {
            0 => Budget::Share(rng.gen()),
            1 => Budget::Money(rng.gen::<f64>() * n as f64 * 0.1),
            _ => Budget::UpliftThreshold(0.01 * (rng.gen::<f64>() - 0.3)),
        })
        .collect();
    let params = AuditParams::default();
    let mut sim_t = Vec::with_capacity(queries);
    let mut audit_t = Vec::with_capacity(queries);
    let mut sink = 0.0;
    for b in &budgets {
        let t0 = Instant::now();
        let q = sim.simulate(*b).unwrap();
        sim_t.push(t0.elapsed().as_secs_f64() * 1e6);
        let t0 = Instant::now();
        let a = idx.audit(Policy::Uplift, q.targeted, &params).unwrap();
        audit_t.push(t0.elapsed().as_secs_f64() * 1e6);
        sink += q.spend + a.disparate_impact.unwrap_or(0.0);
    }
    std::hint::black_box(sink);
    for (name, v) in [
        ("simulate (4 policies + headline)", &mut sim_t),
        ("fairness audit (5 groups)", &mut audit_t),
    ] {
        v.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{name:<34} median {:>6.2} µs   p99 {:>6.2} µs   max {:>7.2} µs   ({queries} queries)",
            percentile(v, 0.5),
            percentile(v, 0.99),
            v[v.len() - 1]
        );
    }
}
