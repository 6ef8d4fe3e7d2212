use ndarray::Array2;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::data::binning::{BinParams, BinnedMatrix};

fn design(cols: &[Vec<f64>]) -> Design {
    let refs: Vec<&[f64]> = cols.iter().map(Vec::as_slice).collect();
    let binned = BinnedMatrix::from_columns(&refs, &BinParams::default());
    let n = cols[0].len();
    Design {
        names: (0..cols.len()).map(|j| format!("x{j}")).collect(),
        binned,
        raw: Array2::from_shape_fn((n, cols.len()), |(i, j)| cols[j][i]),
    }
}

fn no_cancel() -> bool {
    false
}

fn fit(
    d: &Design,
    y: &[f64],
    w: Option<&[f64]>,
    obj: Objective,
    p: GbdtParams,
) -> Result<GbdtModel> {
    let rows: Vec<u32> = (0..d.n_rows() as u32).collect();
    let data = FitData {
        design: d,
        rows: &rows,
        target: y,
        weight: w,
    };
    Gbdt::new(p).fit_model(&data, obj, &no_cancel, &|_, _| {})
}

fn all_rows(d: &Design) -> Vec<u32> {
    (0..d.n_rows() as u32).collect()
}

fn stump() -> GbdtParams {
    GbdtParams {
        trees: 1,
        learning_rate: 1.0,
        max_depth: 1,
        l2: 0.0,
        min_child_weight: 0.0,
        ..GbdtParams::default()
    }
}

#[test]
fn stump_by_hand() {
    // x = 1,2,3,4 (bins 1..4), y = 1,1,3,3, squared error, λ = 0, learning rate 1.
    // Base score = mean(y) = 2, so g = s − y = (1, 1, −1, −1), h = 1.
    // Threshold bin 1: G_L=1,H_L=1 | G_R=−1,H_R=3 → gain ½(1/1 + 1/3 − 0) = 0.667
    // Threshold bin 2: G_L=2,H_L=2 | G_R=−2,H_R=2 → gain ½(4/2 + 4/2 − 0) = 2   ← best
    // Threshold bin 3: mirror of bin 1 → 0.667.
    // Leaves −G/H: left −2/2 = −1, right +1 → predictions 1, 1, 3, 3.
    let d = design(&[vec![1.0, 2.0, 3.0, 4.0]]);
    let m = fit(
        &d,
        &[1.0, 1.0, 3.0, 3.0],
        None,
        Objective::SquaredError,
        stump(),
    )
    .unwrap();
    assert_eq!(m.base_score, 2.0);
    match &m.trees[0].nodes[0] {
        Node::Split {
            feature,
            threshold_bin,
            threshold,
            gain,
            missing_left,
            ..
        } => {
            assert_eq!((*feature, *threshold_bin, *threshold), (0, 2, 2.0));
            assert!((gain - 2.0).abs() < 1e-12);
            // no missing rows: missing goes with the heavier side (tie → left)
            assert!(*missing_left);
        }
        n => panic!("expected a split, got {n:?}"),
    }
    assert_eq!(m.predict(&d, &all_rows(&d)), vec![1.0, 1.0, 3.0, 3.0]);
    assert_eq!(m.feature_importance(), vec![("x0".to_string(), 2.0)]);
}

#[test]
fn missing_values_take_the_learned_side() {
    // Rows with x missing have the same target as the large x: the best split is
    // "x ≤ 2 left, x > 2 or missing right", a perfect separation.
    let nan = f64::NAN;
    let x = vec![1.0, 2.0, 3.0, 4.0, nan, nan];
    let d = design(std::slice::from_ref(&x));
    let m = fit(
        &d,
        &[0.0, 0.0, 5.0, 5.0, 5.0, 5.0],
        None,
        Objective::SquaredError,
        stump(),
    )
    .unwrap();
    match &m.trees[0].nodes[0] {
        Node::Split {
            threshold_bin,
            missing_left,
            ..
        } => assert_eq!((*threshold_bin, *missing_left), (2, false)),
        n => panic!("expected a split, got {n:?}"),
    }
    // (gradients are f32: the base score 10/3 is not exact in f32, hence the tolerance)
    let pred = m.predict(&d, &all_rows(&d));
    for (p, want) in pred.iter().zip([0.0, 0.0, 5.0, 5.0, 5.0, 5.0]) {
        assert!((p - want).abs() < 1e-6, "{pred:?}");
    }
    // Mirror: missing rows look like the small x → missing goes left.
    let m = fit(
        &d,
        &[0.0, 0.0, 5.0, 5.0, 0.0, 0.0],
        None,
        Objective::SquaredError,
        stump(),
    )
    .unwrap();
    match &m.trees[0].nodes[0] {
        Node::Split {
            threshold_bin,
            missing_left,
            ..
        } => assert_eq!((*threshold_bin, *missing_left), (2, true)),
        n => panic!("expected a split, got {n:?}"),
    }
}

#[test]
fn weights_shift_the_fit() {
    // A constant feature cannot be split, so the model is its base score, the weighted mean:
    // y = (0, 1) with weights (3, 1) → 1/4, both for squared error and (as a probability) for log loss.
    let d = design(&[vec![1.0, 1.0]]);
    let rows = all_rows(&d);
    let w = [3.0, 1.0];
    let m = fit(
        &d,
        &[0.0, 1.0],
        Some(&w),
        Objective::SquaredError,
        GbdtParams::default(),
    )
    .unwrap();
    assert_eq!(m.predict(&d, &rows), vec![0.25, 0.25]);
    let m = fit(
        &d,
        &[0.0, 1.0],
        Some(&w),
        Objective::LogLoss,
        GbdtParams::default(),
    )
    .unwrap();
    for p in m.predict(&d, &rows) {
        assert!((p - 0.25).abs() < 1e-12, "{p}");
    }
    // In the stump, weight 0 removes rows: with rows 3,4 weightless the data is (1→1, 2→1, 3→3, 4→3)
    // reduced to x = 1, 2 both with y = 1 … so the left/right split has no right weight and no split is made.
    let d = design(&[vec![1.0, 2.0, 3.0, 4.0]]);
    let m = fit(
        &d,
        &[1.0, 1.0, 3.0, 3.0],
        Some(&[1.0, 1.0, 0.0, 0.0]),
        Objective::SquaredError,
        stump(),
    )
    .unwrap();
    assert_eq!(m.base_score, 1.0);
    assert!(m.trees[0].nodes.len() == 1, "{:?}", m.trees[0]);
}

#[test]
fn positive_weight_is_mapped_back_exactly() {
    // 1 positive, 3 negatives, constant feature, auto weight w = 3/1 = 3: in the weighted space the rate is
    // 3/(3+3) = 0.5; mapped back p = 0.5/(0.5 + 3·0.5) = 0.25, the observed rate.
    let d = design(&[vec![1.0; 4]]);
    // Exact with float gradients (every leaf is −0/(H+λ) = 0); quantized gradients round each row's
    // gradient stochastically (to 1/32,767 of the largest), so the 100 leaves carry tiny noise.
    for (quantized, tol) in [(false, 1e-12), (true, 1e-5)] {
        let p = GbdtParams {
            scale_pos_weight: ScalePosWeight::Auto,
            quantized_gradients: quantized,
            ..GbdtParams::default()
        };
        let m = fit(&d, &[1.0, 0.0, 0.0, 0.0], None, Objective::LogLoss, p).unwrap();
        assert_eq!(m.pos_weight, 3.0);
        assert!(m.base_score.abs() < 1e-12);
        for p in m.predict(&d, &all_rows(&d)) {
            assert!((p - 0.25).abs() < tol, "quantized {quantized}: {p}");
        }
    }
}

/// n rows, 4 features (one with 10% missing), logistic truth with intercept `b`.
fn logistic_data(n: usize, b: f64, seed: u64) -> (Design, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let x: Vec<f64> = (0..4).map(|_| rng.gen::<f64>() * 2.0 - 1.0).collect();
        let z = b + 1.5 * x[0] - x[1] + if x[2] > 0.0 { 0.8 } else { 0.0 };
        let p = 1.0 / (1.0 + (-z).exp());
        y.push(if rng.gen::<f64>() < p { 1.0 } else { 0.0 });
        for j in 0..4 {
            let v = if j == 3 && rng.gen::<f64>() < 0.1 {
                f64::NAN
            } else {
                x[j]
            };
            cols[j].push(v);
        }
    }
    (design(&cols), y)
}

#[test]
fn mapped_back_predictions_match_the_observed_rate() {
    let (d, y) = logistic_data(20_000, -3.5, 7);
    let rate = y.iter().sum::<f64>() / y.len() as f64;
    let p = GbdtParams {
        scale_pos_weight: ScalePosWeight::Auto,
        trees: 50,
        max_depth: 3,
        ..GbdtParams::default()
    };
    let m = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
    assert!(m.pos_weight > 10.0, "{}", m.pos_weight);
    let pred = m.predict(&d, &all_rows(&d));
    let mean = pred.iter().sum::<f64>() / pred.len() as f64;
    assert!(
        (mean - rate).abs() < 0.1 * rate,
        "mean prediction {mean} vs rate {rate}"
    );
}

#[test]
fn learns_the_signal_and_importance_ranks_it() {
    let (d, y) = logistic_data(20_000, 0.0, 3);
    let m = fit(&d, &y, None, Objective::LogLoss, GbdtParams::default()).unwrap();
    // base log loss of a ~50% rate is ln 2 = 0.693; the truth has a strong signal
    assert!(m.train_loss < 0.6, "{}", m.train_loss);
    let imp = m.feature_importance();
    assert_eq!(imp[0].0, "x0");
    assert_eq!(imp[3].0, "x3", "the noise feature is last: {imp:?}");
}

#[test]
fn fitting_twice_gives_the_identical_model() {
    let (d, y) = logistic_data(40_000, -1.0, 11);
    let p = GbdtParams {
        trees: 20,
        subsample: 0.8,
        validation_fraction: 0.2,
        scale_pos_weight: ScalePosWeight::Auto,
        ..GbdtParams::default()
    };
    let a = fit(&d, &y, None, Objective::LogLoss, p.clone()).unwrap();
    let b = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn early_stopping_stops_on_noise() {
    // The target ignores the features: the held-out loss stops improving early.
    let (d, _) = logistic_data(5_000, 0.0, 5);
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let y: Vec<f64> = (0..5_000)
        .map(|_| if rng.gen::<f64>() < 0.3 { 1.0 } else { 0.0 })
        .collect();
    let p = GbdtParams {
        trees: 500,
        validation_fraction: 0.3,
        early_stopping_rounds: 5,
        ..GbdtParams::default()
    };
    let m = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
    assert!(m.n_trees() < 100, "kept {} trees", m.n_trees());
    assert_eq!(m.valid_loss.len(), m.n_trees() + 5);
    let best = m.valid_loss[m.n_trees() - 1];
    assert!(m.valid_loss.iter().all(|&l| l >= best));
}

#[test]
fn serde_round_trip_predicts_identically() {
    let (d, y) = logistic_data(10_000, -1.0, 2);
    let m = fit(&d, &y, None, Objective::LogLoss, GbdtParams::default()).unwrap();
    let json = serde_json::to_string(&m).unwrap();
    let back: GbdtModel = serde_json::from_str(&json).unwrap();
    assert_eq!(back, m);
    let rows = all_rows(&d);
    assert_eq!(back.predict(&d, &rows), m.predict(&d, &rows));
}

#[test]
fn params_are_checked_first_with_plain_messages() {
    let d = design(&[vec![1.0, 2.0]]);
    let e = fit(
        &d,
        &[0.0, 1.0],
        None,
        Objective::LogLoss,
        GbdtParams {
            learning_rate: 0.0,
            ..GbdtParams::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Setting “learningRate” is 0, but it must be above 0 and at most 1."
    );
    let e = GbdtParams {
        early_stopping_rounds: 10,
        ..GbdtParams::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Setting “validationFraction” is 0, but it must be above 0 when early stopping is on (e.g. 0.1)."
    );
    let e = GbdtParams {
        scale_pos_weight: ScalePosWeight::Value(-1.0),
        ..GbdtParams::default()
    }
    .validate()
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Setting “scalePosWeight” is -1, but it must be a number above 0."
    );
    let p: GbdtParams =
        serde_json::from_str(r#"{"trees":5,"scalePosWeight":{"value":2.0}}"#).unwrap();
    assert_eq!(p.trees, 5);
    assert_eq!(p.scale_pos_weight, ScalePosWeight::Value(2.0));
    assert!(serde_json::from_str::<GbdtParams>(r#"{"tress":5}"#).is_err());
}

#[test]
fn bad_inputs_are_errors_not_panics() {
    let d = design(&[vec![1.0, 2.0]]);
    let e = fit(
        &d,
        &[0.0, 2.0],
        None,
        Objective::LogLoss,
        GbdtParams::default(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Row 1: the outcome must be 0 or 1, but it is 2. Choose a yes/no conversion column as the outcome."
    );
    let e = fit(
        &d,
        &[0.0, 1.0],
        Some(&[1.0, -2.0]),
        Objective::LogLoss,
        GbdtParams::default(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Row 1: the sample weight is -2, but weights must be 0 or more. Check the weight column."
    );
    let e = fit(
        &d,
        &[0.0, 1.0],
        Some(&[0.0, 0.0]),
        Objective::LogLoss,
        GbdtParams::default(),
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "Every row has weight 0, so there is nothing to learn from. Give some rows a positive weight."
    );
    let e = fit(&d, &[0.0], None, Objective::LogLoss, GbdtParams::default()).unwrap_err();
    assert!(matches!(e, Error::LengthMismatch { .. }));
}

#[test]
fn cancel_stops_between_rounds() {
    let d = design(&[vec![1.0, 2.0]]);
    let rows = all_rows(&d);
    let data = FitData {
        design: &d,
        rows: &rows,
        target: &[0.0, 1.0],
        weight: None,
    };
    let calls = std::sync::atomic::AtomicUsize::new(0);
    let cancel = || calls.fetch_add(1, std::sync::atomic::Ordering::SeqCst) >= 3;
    let done = std::sync::Mutex::new(Vec::new());
    let progress = |a: usize, b: usize| done.lock().unwrap().push((a, b));
    let e = Gbdt::default()
        .fit_model(&data, Objective::LogLoss, &cancel, &progress)
        .unwrap_err();
    assert!(matches!(e, Error::Cancelled));
    assert_eq!(*done.lock().unwrap(), vec![(1, 100), (2, 100), (3, 100)]);
}

#[test]
fn leaf_limit_and_chunked_histograms() {
    // More rows than one histogram chunk, leaves capped at 5: every tree has at most 5 leaves, and a
    // subset of rows predicts the same as the full list.
    let (d, y) = logistic_data(super::grow::CHUNK * 2 + 123, 0.0, 9);
    let p = GbdtParams {
        trees: 5,
        max_leaves: 5,
        max_depth: 10,
        ..GbdtParams::default()
    };
    let m = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
    assert!(m.trees.iter().all(|t| t.n_leaves() <= 5));
    assert!(m.trees.iter().any(|t| t.n_leaves() == 5));
    let all = m.predict(&d, &all_rows(&d));
    assert_eq!(m.predict(&d, &[7, 3]), vec![all[7], all[3]]);
}

#[test]
fn batch_prediction_equals_the_tree_walk_to_the_bit() {
    // 3,000 rows, 3 features (one 20 % missing), log loss, depth 5, 30 trees: the flattened, branch-free block
    // walk must give every row exactly base + Σ tree values in tree order, i.e. the plain walk's f64 result,
    // for rows in any order and any count (a partial last block).
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let n = 3_000;
    let a: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let b: Vec<f64> = (0..n)
        .map(|_| {
            if rng.gen::<f64>() < 0.2 {
                f64::NAN
            } else {
                rng.gen::<f64>()
            }
        })
        .collect();
    let c: Vec<f64> = (0..n).map(|_| (rng.gen::<f64>() * 6.0).floor()).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| {
            let z = 2.0 * a[i] - 1.0 + if b[i].is_nan() { 0.8 } else { -b[i] } + 0.2 * c[i] - 0.5;
            f64::from(rng.gen::<f64>() < 1.0 / (1.0 + (-z).exp()))
        })
        .collect();
    let d = design(&[a, b, c]);
    let p = GbdtParams {
        trees: 30,
        max_depth: 5,
        ..GbdtParams::default()
    };
    let m = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
    let rows: Vec<u32> = (0..n as u32).rev().step_by(3).collect();
    let fast = m.predict(&d, &rows);
    assert_eq!(fast.len(), rows.len());
    for (&r, &f) in rows.iter().zip(&fast) {
        let slow = m.link(m.raw_score(&d, r as usize));
        assert_eq!(f.to_bits(), slow.to_bits(), "row {r}");
    }
    // A model whose tree is not in the grower's shape (right ≠ left + 1) is predicted by the plain walk.
    let mut odd = m.clone();
    odd.trees.truncate(1);
    if let Node::Split { left, right, .. } = &mut odd.trees[0].nodes[0] {
        std::mem::swap(left, right);
    }
    assert!(predict::FlatForest::new(&odd.trees, 0.0, 3).is_none());
    let got = odd.predict(&d, &rows);
    for (&r, &g) in rows.iter().zip(&got) {
        assert_eq!(
            g.to_bits(),
            odd.link(odd.raw_score(&d, r as usize)).to_bits()
        );
    }
}

#[test]
fn fast_exp_is_close_to_libm() {
    // Relative error of the polynomial e^x against f64 exp, over the range the sigmoid uses and beyond.
    let mut worst = 0.0f64;
    let mut x = -80.0f32;
    while x <= 80.0 {
        let want = (x as f64).exp();
        let got = exp_f32(x) as f64;
        worst = worst.max(((got - want) / want).abs());
        x += 0.013;
    }
    assert!(worst < 1e-6, "worst relative error {worst}");
    assert_eq!(exp_f32(0.0), 1.0);
    // clamped: stays finite and positive
    assert!(exp_f32(1000.0).is_finite() && exp_f32(-1000.0) > 0.0);
}

/// Quantize rows block by block with [`Quant::pack_block`] (what the fused pass does); returns the scales.
fn quantize(gh: &[[f32; 2]], max: [f32; 2], key: u32, out: &mut [i64]) -> [f64; 2] {
    let (q, scale) = Quant::new(gh.len(), max, key);
    for (k, (o, gh)) in out
        .chunks_mut(BLOCK_ROWS)
        .zip(gh.chunks(BLOCK_ROWS))
        .enumerate()
    {
        let g: Vec<f32> = gh.iter().map(|x| x[0]).collect();
        let h: Vec<f32> = gh.iter().map(|x| x[1]).collect();
        q.pack_block((k * BLOCK_ROWS) as u32, &g, &h, o);
    }
    scale
}

#[test]
fn quantization_by_hand_and_unbiased() {
    // 4 rows: levels = min(⌊(2³¹−1)/4⌋, 2¹⁵) = 32,768 for grad and min(⌊(2³²−1)/4⌋, 2¹⁶) = 65,536 for hess.
    // max |g| = 1, max h = 0.25: g = −1 ↦ −32,768, g = 0.5 ↦ 16,384 (exact, whatever the noise u < 1);
    // h = 0.25 ↦ 65,536; h = 0.1 ↦ 26,214.4 → 26,214 or 26,215.
    assert_eq!(quant_levels(4), (32_768, 65_536));
    assert_eq!(quant_levels(1_000_000), (2_147, 4_294));
    let gh = [[-1.0f32, 0.25], [0.5, 0.1], [0.0, 0.0], [0.5, 0.25]];
    let mut q = [0i64; 4];
    let scale = quantize(&gh, [1.0, 0.25], 1, &mut q);
    assert_eq!(scale, [1.0 / 32_768.0, 0.25 / 65_536.0]);
    let unpack = |v: i64| (v >> 32, v as u32);
    assert_eq!(unpack(q[0]), (-32_768, 65_536));
    assert_eq!(unpack(q[1]).0, 16_384);
    assert!(
        [26_214, 26_215].contains(&unpack(q[1]).1),
        "{:?}",
        unpack(q[1])
    );
    assert_eq!(unpack(q[2]), (0, 0));
    // One packed sum carries both sums, negative grads included: decode gives Σg = −0.5 + 0.5·… exactly.
    let total = q.iter().fold(0i64, |a, &b| a.wrapping_add(b));
    let want_h = 65_536 * 2 + unpack(q[1]).1 as i64;
    assert_eq!(total >> 32, -32_768 + 2 * 16_384);
    assert_eq!(total as u32 as i64, want_h);
    // Stochastic rounding is unbiased: 20,000 rows of g = 0.3·max and h = 0.1/0.25·max (fractional levels)
    // average to the exact value within 4 standard errors (σ ≤ 0.5/√20,000 = 0.0035 levels).
    let n = 20_000;
    let mut gh = vec![[0.3f32, 0.1]; n];
    gh[0] = [1.0, 0.25];
    let mut q = vec![0i64; n];
    let (gl, hl) = quant_levels(n);
    let scale = quantize(&gh, [1.0, 0.25], 7, &mut q);
    let (mut sg, mut sh) = (0.0f64, 0.0f64);
    for &v in &q[1..] {
        sg += (v >> 32) as f64;
        sh += v as u32 as f64;
    }
    let (mg, mh) = (sg / (n - 1) as f64, sh / (n - 1) as f64);
    let (xg, xh) = (0.3f32 as f64 * gl as f64, 0.1f32 as f64 / 0.25 * hl as f64);
    assert!((mg - xg).abs() < 0.014, "{mg} vs {xg}");
    assert!((mh - xh).abs() < 0.014, "{mh} vs {xh}");
    assert_eq!(scale[0], 1.0 / gl as f64);
}

/// Fit with `p` on 1 and on 2 rayon threads (the models must be identical), and with float gradients (the
/// trees must differ); returns (quantized, float).
#[cfg(not(target_arch = "wasm32"))]
fn threads_then_float(
    p: GbdtParams,
    fit: impl Fn(GbdtParams) -> GbdtModel + Sync,
) -> (GbdtModel, GbdtModel) {
    let on = |threads: usize, p: GbdtParams| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| fit(p))
    };
    let one = on(1, p.clone());
    let two = on(2, p.clone());
    assert_eq!(
        serde_json::to_string(&one).unwrap(),
        serde_json::to_string(&two).unwrap()
    );
    let float = on(
        2,
        GbdtParams {
            quantized_gradients: false,
            ..p
        },
    );
    assert_ne!(one.trees, float.trees);
    (one, float)
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn quantized_fit_is_identical_on_one_and_two_threads_and_as_good_as_float() {
    // More rows than the parallel thresholds (4 histogram chunks, parallel partitions).
    let (d, y) = logistic_data(4 * super::grow::CHUNK + 4_321, -0.5, 13);
    let p = GbdtParams {
        trees: 8,
        ..GbdtParams::default()
    };
    let (one, float) = threads_then_float(p, |p| fit(&d, &y, None, Objective::LogLoss, p).unwrap());
    // same training loss to 0.1 %
    assert!(
        (one.train_loss - float.train_loss).abs() < 1e-3 * float.train_loss,
        "quantized {} vs float {}",
        one.train_loss,
        float.train_loss
    );
}

#[test]
fn exp_exponent_from_bits_equals_the_rounded_product() {
    // x = k·ln 2 (rounded to f32) for k = −125..=127: the exponent k is read from the bits of x·log2 e + 1.5·2²³,
    // negative k included, so e^x is right to the polynomial's accuracy over the whole range.
    for k in -125i32..=127 {
        let x = k as f32 * std::f32::consts::LN_2;
        if !(-87.0..=88.0).contains(&x) {
            continue;
        }
        let want = (x as f64).exp();
        let got = exp_f32(x) as f64;
        assert!(((got - want) / want).abs() < 1e-6, "k {k}: {got} vs {want}");
    }
}

/// Squared-error data with weights and a target far from 0/1 (scale 100), so the per-round |grad| bound is
/// exercised: y = 100·(x0 − x1²) + noise.
fn squared_data(n: usize, seed: u64) -> (Design, Vec<f64>, Vec<f64>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let x0: Vec<f64> = (0..n).map(|_| rng.gen::<f64>()).collect();
    let x1: Vec<f64> = (0..n).map(|_| rng.gen::<f64>() * 2.0 - 1.0).collect();
    let y: Vec<f64> = (0..n)
        .map(|i| 100.0 * (x0[i] - x1[i] * x1[i]) + 10.0 * (rng.gen::<f64>() - 0.5))
        .collect();
    let w: Vec<f64> = (0..n).map(|_| 0.5 + rng.gen::<f64>() * 2.0).collect();
    (design(&[x0, x1]), y, w)
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn quantized_squared_error_is_identical_on_one_and_two_threads_and_as_good_as_float() {
    let (d, y, w) = squared_data(4 * super::grow::CHUNK + 1_234, 5);
    let p = GbdtParams {
        trees: 20,
        ..GbdtParams::default()
    };
    let (one, float) = threads_then_float(p, |p| {
        fit(&d, &y, Some(&w), Objective::SquaredError, p).unwrap()
    });
    // The weighted MSE starts at the target's variance (≈ 100²·(1/12 + 4/45) ≈ 1,700) and falls to ≈ 50 after
    // 20 rounds; quantized and float agree to 0.5 %.
    assert!(one.train_loss < 200.0, "{}", one.train_loss);
    assert!(
        (one.train_loss - float.train_loss).abs() < 5e-3 * float.train_loss,
        "quantized {} vs float {}",
        one.train_loss,
        float.train_loss
    );
}

#[test]
fn squared_error_bound_holds_with_subsampling() {
    // With row subsampling the scores move by a tree walk after each round, not in the pass; the bound on
    // |grad| still includes the last tree's leaves, so quantized stays within 1 % of float.
    let (d, y, w) = squared_data(20_000, 9);
    let p = GbdtParams {
        trees: 15,
        subsample: 0.7,
        ..GbdtParams::default()
    };
    let q = fit(&d, &y, Some(&w), Objective::SquaredError, p.clone()).unwrap();
    let f = fit(
        &d,
        &y,
        Some(&w),
        Objective::SquaredError,
        GbdtParams {
            quantized_gradients: false,
            ..p
        },
    )
    .unwrap();
    assert!(
        (q.train_loss - f.train_loss).abs() < 1e-2 * f.train_loss,
        "quantized {} vs float {}",
        q.train_loss,
        f.train_loss
    );
}

#[test]
fn parallel_subtrees_grow_the_tree_of_the_best_first_loop() {
    // Without a leaf limit the subtree below the root grows natively with both children of every split on
    // rayon's threads; a limit that never binds keeps the serial best-first loop: same model to the bit
    // (node numbers, leaf values, training loss from the leaf numbers), quantized and float, depth 3, 6 and 9.
    let (d, y) = logistic_data(4 * super::grow::CHUNK + 4_321, -0.5, 21);
    for (quantized, depth) in [(true, 6), (false, 6), (true, 3), (true, 9)] {
        let p = GbdtParams {
            trees: 4,
            max_depth: depth,
            quantized_gradients: quantized,
            min_child_weight: 0.5,
            ..GbdtParams::default()
        };
        let limited = GbdtParams {
            max_leaves: 1 << depth,
            ..p.clone()
        };
        let a = fit(&d, &y, None, Objective::LogLoss, p).unwrap();
        let b = fit(&d, &y, None, Objective::LogLoss, limited).unwrap();
        assert!(
            a.trees[0].nodes.len() > 4,
            "the trees must be deeper than a stump"
        );
        assert_eq!(
            serde_json::to_string(&a).unwrap(),
            serde_json::to_string(&b).unwrap(),
            "quantized {quantized}, depth {depth}"
        );
    }
}

#[test]
fn gradients_in_32_bits_widen_to_the_64_bit_packing() {
    // the extreme 16-bit levels and a few in between: g·2¹⁶ + h in a u32 gives the cell g·2³² + h
    for g in [-32_767i32, -1, 0, 1, 1_234, 32_767] {
        for h in [0u32, 1, 40_000, 65_535] {
            let wide = <i64 as Packed>::pack(g as u32, h);
            let narrow = <u32 as Packed>::pack(g as u32, h);
            assert_eq!(wide, ((g as i64) << 32) + h as i64);
            assert_eq!(narrow.cell(), wide, "g {g}, h {h}");
        }
    }
    // 32-bit storage from 65,536 rows on, where the levels fit 16 bits
    assert!(matches!(QGrads::new(65_535), QGrads::Wide(_)));
    assert!(matches!(QGrads::new(65_536), QGrads::Narrow(_)));
    let (g, h) = quant_levels(65_536);
    assert!(g < 1 << 15 && h < 1 << 16);
}
