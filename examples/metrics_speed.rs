//! Times the metrics on 1M generated rows (85% treated, ~3% conversion, continuous scores):
//! `cargo run --release --example metrics_speed [-- ROWS REPLICATES]`.

use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use uplift_simulator::metrics::{
    bootstrap_intervals, qini_auc_score, uplift_metrics, BootstrapParams, MetricsParams, Ranking,
};

/// CPU seconds used by this process so far (user + system, all threads), from /proc/self/stat (Linux; 0 elsewhere).
/// Reported beside wall time because the shared benchmark machine is often oversubscribed.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0 // USER_HZ is 100 on Linux
}

/// Wall and CPU seconds since (wall0, cpu0).
fn since(wall0: Instant, cpu0: f64) -> String {
    format!(
        "{:.3} s wall, {:.2} s CPU",
        wall0.elapsed().as_secs_f64(),
        cpu_seconds() - cpu0
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rows: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let replicates: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut score = Vec::with_capacity(rows);
    let mut treatment = Vec::with_capacity(rows);
    let mut outcome = Vec::with_capacity(rows);
    for _ in 0..rows {
        let x: f64 = rng.gen();
        let t = rng.gen_bool(0.85);
        let p = 0.02 + if t { 0.03 * x } else { 0.0 };
        score.push(0.03 * x + 0.01 * (rng.gen::<f64>() - 0.5));
        treatment.push(t);
        outcome.push(u8::from(rng.gen_bool(p)));
    }
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("rows {rows}, replicates {replicates}, threads available {threads}");

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let r = Ranking::new(&score);
    println!(
        "sort once: {} ({} tie blocks)",
        since(t0, c0),
        r.block_ends.len()
    );

    let (t0, c0) = (Instant::now(), cpu_seconds());
    let q = qini_auc_score(&score, &treatment, &outcome, true).unwrap();
    println!("qini_auc_score: {q:.6} in {}", since(t0, c0));

    let p = BootstrapParams {
        replicates,
        ..Default::default()
    };
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let b = bootstrap_intervals(&score, &treatment, &outcome, &p).unwrap();
    let qi = b.qini.unwrap();
    println!(
        "bootstrap_intervals ({replicates} replicates): {}; Qini {:.4} [{:.4}, {:.4}]",
        since(t0, c0),
        qi.estimate,
        qi.low,
        qi.high
    );

    let mp = MetricsParams {
        replicates,
        ..Default::default()
    };
    let (t0, c0) = (Instant::now(), cpu_seconds());
    let m = uplift_metrics(&score, &treatment, &outcome, &mp).unwrap();
    println!(
        "uplift_metrics (all metrics, {replicates} replicates, deciles, curves): {}; AUUC {:.4}",
        since(t0, c0),
        m.auuc.unwrap().estimate
    );
}
