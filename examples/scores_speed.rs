//! SCORES.csv writing speed: `ScoreColumns::write_csv` of 2M rows (5 score columns, as `uplift fit` writes)
//! to a sink, and, for comparison, the same 10M numbers through Rust's `{}` alone.
//! `RAYON_NUM_THREADS=1 cargo run --release --example scores_speed`
use std::time::Instant;

use rand::{Rng, SeedableRng};
use uplift_simulator::pipeline::scores::ScoreColumns;

fn main() {
    let n = 2_000_000;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut col = |scale: f64| -> Vec<f64> { (0..n).map(|_| rng.gen::<f64>() * scale).collect() };
    let s = ScoreColumns {
        row: (0..n as u32).collect(),
        uplift: col(0.1),
        uplift_se: Some(col(0.01)),
        p_control: Some(col(1.0)),
        p_treated: Some(col(1.0)),
        response_score: Some(col(1.0)),
        id: None,
        archetype: Some(vec!["persuadable".to_string(); n]),
        review: Some(vec![String::new(); n]),
    };
    let mut out = Vec::with_capacity(300 << 20);
    let t = Instant::now();
    s.write_csv(&mut out).expect("in memory");
    let write = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut buf = String::new();
    let mut bytes = 0usize;
    for c in [
        &s.uplift,
        s.uplift_se.as_ref().expect("set"),
        s.p_control.as_ref().expect("set"),
    ] {
        for v in c {
            use std::fmt::Write as _;
            buf.clear();
            let _ = write!(buf, "{v}");
            bytes += buf.len();
        }
    }
    let display = t.elapsed().as_secs_f64() * 5.0 / 3.0;
    println!(
        "write_csv of {n} rows: {:.0} ms ({} bytes); {{}} of the 5×{n} numbers alone: {:.0} ms ({bytes} bytes for 3 columns)",
        write * 1000.0,
        out.len(),
        display * 1000.0
    );
}
