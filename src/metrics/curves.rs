//! Qini and uplift curves with their perfect and random references (scikit-uplift 0.5.1 conventions);
//! areas and scores live in `scores.rs`.
//!
//! Rows are ranked by [`Ranking`] (descending score, larger index first among ties). At a cut after the first
//! k rows, n_t/n_c are the treated/control rows and y_t/y_c their conversions among them. The curves have one
//! point per distinct score (at the end of each tie block) plus a leading (0, 0); x = rows targeted.

use super::input::{check, OutcomeValue};
use super::order::Ranking;
use crate::error::Result;

/// Running totals among the top rows (f64 so bootstrap weights fit the same formulas).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Tally {
    /// Treated rows, n_t.
    pub nt: f64,
    /// Control rows, n_c.
    pub nc: f64,
    /// Treated conversions, y_t.
    pub yt: f64,
    /// Control conversions, y_c.
    pub yc: f64,
}

impl Tally {
    /// Adds `w` copies of a row of the given arm and outcome.
    #[inline]
    pub fn add(&mut self, treated: bool, converted: bool, w: f64) {
        let y = if converted { w } else { 0.0 };
        if treated {
            self.nt += w;
            self.yt += y;
        } else {
            self.nc += w;
            self.yc += y;
        }
    }

    /// Rows counted, k = n_t + n_c.
    #[inline]
    pub fn rows(&self) -> f64 {
        self.nt + self.nc
    }

    /// Qini curve value, scikit-uplift `qini_curve` convention: y_t − y_c·(n_t/n_c), the ratio taken as 0
    /// when n_c = 0. Same operation order as scikit-uplift, so results agree to the last bit.
    #[inline]
    pub fn qini(&self) -> f64 {
        let ratio = if self.nc != 0.0 {
            self.nt / self.nc
        } else {
            0.0
        };
        self.yt - self.yc * ratio
    }

    /// Uplift curve value, scikit-uplift `uplift_curve` convention: (y_t/n_t − y_c/n_c)·k, each ratio taken
    /// as 0 when its denominator is 0.
    #[inline]
    pub fn uplift(&self) -> f64 {
        let rt = if self.nt != 0.0 {
            self.yt / self.nt
        } else {
            0.0
        };
        let rc = if self.nc != 0.0 {
            self.yc / self.nc
        } else {
            0.0
        };
        (rt - rc) * self.rows()
    }
}

/// Points of a curve: x = rows targeted (a count), y = the curve's value there.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CurvePoints {
    /// Rows targeted (number of rows from the top of the ranking).
    pub x: Vec<f64>,
    /// Curve value at x (conversions for Qini; rate difference × rows for the uplift curve).
    pub y: Vec<f64>,
}

impl CurvePoints {
    /// Number of points.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True when there is no point.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Trapezoid area under the points, as `sklearn.metrics.auc` (numpy `trapezoid`): Σ Δx·(y₀+y₁)/2.
    pub fn area(&self) -> f64 {
        trapezoid(&self.x, &self.y)
    }

    /// At most `max_points` points that keep the shape for a chart: the first and last points always, the rest
    /// evenly spaced by index (rounded). `max_points` below 2 counts as 2. Unchanged if already small enough.
    pub fn downsample(&self, max_points: usize) -> CurvePoints {
        let n = self.len();
        let m = max_points.max(2);
        if n <= m {
            return self.clone();
        }
        let idx = (0..m).map(|j| (j * (n - 1) + (m - 1) / 2) / (m - 1));
        let (x, y) = idx.map(|i| (self.x[i], self.y[i])).unzip();
        CurvePoints { x, y }
    }

    fn push(&mut self, x: f64, y: f64) {
        self.x.push(x);
        self.y.push(y);
    }
}

/// Trapezoid rule with numpy's per-term arithmetic: Δx·(y[i+1]+y[i])/2.
pub(crate) fn trapezoid(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2)
        .zip(y.windows(2))
        .map(|(xs, ys)| (xs[1] - xs[0]) * (ys[1] + ys[0]) / 2.0)
        .sum()
}

/// The Qini curve of a score with its references (scikit-uplift `qini_curve`, `perfect_qini_curve`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QiniCurve {
    /// Rows targeted at each point (scikit-uplift `qini_curve` x: one point per distinct score, plus 0).
    pub x: Vec<f64>,
    /// Qini value y_t − y_c·n_t/n_c at each point (scikit-uplift `qini_curve` convention).
    pub y: Vec<f64>,
    /// Perfect ranking (scikit-uplift `perfect_qini_curve`, `negative_effect=True`: treated converters first,
    /// control converters last).
    pub perfect: CurvePoints,
    /// Random targeting: the straight line from (0, 0) to the last point (scikit-uplift baseline).
    pub random: CurvePoints,
}

/// The uplift (gain) curve of a score with its references (scikit-uplift `uplift_curve`,
/// `perfect_uplift_curve`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpliftCurve {
    /// Rows targeted at each point (scikit-uplift `uplift_curve` x: one point per distinct score, plus 0).
    pub x: Vec<f64>,
    /// Uplift value (y_t/n_t − y_c/n_c)·k at each point (scikit-uplift `uplift_curve` convention).
    pub y: Vec<f64>,
    /// Perfect ranking (scikit-uplift `perfect_uplift_curve`).
    pub perfect: CurvePoints,
    /// Random targeting: the straight line from (0, 0) to the last point (scikit-uplift baseline).
    pub random: CurvePoints,
}

impl QiniCurve {
    /// The model's points.
    pub fn points(&self) -> CurvePoints {
        CurvePoints {
            x: self.x.clone(),
            y: self.y.clone(),
        }
    }

    /// Same curve with at most `max_points` model points (see [`CurvePoints::downsample`]); the perfect and
    /// random references (≤ 5 points) are kept whole.
    pub fn downsample(&self, max_points: usize) -> QiniCurve {
        let p = self.points().downsample(max_points);
        QiniCurve {
            x: p.x,
            y: p.y,
            perfect: self.perfect.clone(),
            random: self.random.clone(),
        }
    }
}

impl UpliftCurve {
    /// The model's points.
    pub fn points(&self) -> CurvePoints {
        CurvePoints {
            x: self.x.clone(),
            y: self.y.clone(),
        }
    }

    /// Same curve with at most `max_points` model points; references kept whole.
    pub fn downsample(&self, max_points: usize) -> UpliftCurve {
        let p = self.points().downsample(max_points);
        UpliftCurve {
            x: p.x,
            y: p.y,
            perfect: self.perfect.clone(),
            random: self.random.clone(),
        }
    }
}

/// Which curve value a walk records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Qini,
    Uplift,
}

impl Kind {
    #[inline]
    pub fn value(self, t: &Tally) -> f64 {
        match self {
            Kind::Qini => t.qini(),
            Kind::Uplift => t.uplift(),
        }
    }
}

/// Model curve points: (0, 0), then one point at the end of each tie block.
pub(crate) fn model_points(
    kind: Kind,
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
) -> CurvePoints {
    let mut pts = CurvePoints::default();
    pts.push(0.0, 0.0);
    walk_blocks(ranking, treatment, outcome, |t| {
        pts.push(t.rows(), kind.value(t))
    });
    pts
}

/// Walk the ranking top down, calling `at_end` with the running totals at the end of each tie block.
fn walk_blocks(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
    mut at_end: impl FnMut(&Tally),
) {
    let mut t = Tally::default();
    let mut start = 0usize;
    for &end in &ranking.block_ends {
        for &row in &ranking.rows[start..end as usize] {
            let r = row as usize;
            t.add(treatment[r], outcome[r], 1.0);
        }
        start = end as usize;
        at_end(&t);
    }
}

/// Both model curves' points ([`Kind::Qini`], [`Kind::Uplift`]) in one walk over the ranking: each equals
/// [`model_points`] of its kind (same running totals, same operations).
pub(crate) fn model_points_both(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
) -> (CurvePoints, CurvePoints) {
    let blocks = ranking.block_ends.len() + 1;
    let mut x = Vec::with_capacity(blocks);
    let mut qini = Vec::with_capacity(blocks);
    let mut uplift = Vec::with_capacity(blocks);
    x.push(0.0);
    qini.push(0.0);
    uplift.push(0.0);
    walk_blocks(ranking, treatment, outcome, |t| {
        x.push(t.rows());
        qini.push(t.qini());
        uplift.push(t.uplift());
    });
    (
        CurvePoints {
            x: x.clone(),
            y: qini,
        },
        CurvePoints { x, y: uplift },
    )
}

/// Totals of the four kinds of row (rows, not conversions): treated converters, treated non-converters,
/// control converters, control non-converters. Weighted counts in the bootstrap.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Groups {
    pub treated_converted: f64,
    pub treated_not: f64,
    pub control_converted: f64,
    pub control_not: f64,
}

impl Groups {
    pub fn count(treatment: &[bool], outcome: &[bool]) -> Groups {
        let mut g = Groups::default();
        for (&t, &y) in treatment.iter().zip(outcome) {
            match (t, y) {
                (true, true) => g.treated_converted += 1.0,
                (true, false) => g.treated_not += 1.0,
                (false, true) => g.control_converted += 1.0,
                (false, false) => g.control_not += 1.0,
            }
        }
        g
    }

    fn tally(self) -> Tally {
        Tally {
            nt: self.treated_converted + self.treated_not,
            nc: self.control_converted + self.control_not,
            yt: self.treated_converted,
            yc: self.control_converted,
        }
    }
}

/// Points after consecutive tie blocks, each a list of (treated?, converted?, rows) that share one score.
/// Empty blocks make no point, as in scikit-uplift where they do not exist.
fn block_points(kind: Kind, blocks: &[&[(bool, bool, f64)]]) -> CurvePoints {
    let mut pts = CurvePoints::default();
    pts.push(0.0, 0.0);
    let mut t = Tally::default();
    for block in blocks {
        let mut any = false;
        for &(bt, by, w) in block.iter() {
            if w > 0.0 {
                t.add(bt, by, w);
                any = true;
            }
        }
        if any {
            pts.push(t.rows(), kind.value(&t));
        }
    }
    pts
}

/// scikit-uplift `perfect_qini_curve(negative_effect=True)`: the Qini curve of the score y·t − y·(1−t), i.e.
/// treated converters (score 1), then every non-converter of both arms (one tie block at score 0), then
/// control converters (score −1).
pub(crate) fn perfect_qini_points(g: Groups) -> CurvePoints {
    block_points(
        Kind::Qini,
        &[
            &[(true, true, g.treated_converted)],
            &[(true, false, g.treated_not), (false, false, g.control_not)],
            &[(false, true, g.control_converted)],
        ],
    )
}

/// scikit-uplift `perfect_qini_curve(negative_effect=False)`: points (0, 0), (r, r), (n, r) with
/// r = Y_t − N_t·Y_c/N_c, the overall Qini value.
pub(crate) fn perfect_qini_points_no_negative(g: Groups) -> CurvePoints {
    let t = g.tally();
    // Python: Y_t - N_t * Y_c / N_c, the product first (exact for counts), then the division.
    let r = t.yt - (t.nt * t.yc) / t.nc;
    CurvePoints {
        x: vec![0.0, r, t.rows()],
        y: vec![0.0, r, r],
    }
}

/// scikit-uplift `perfect_uplift_curve`: the uplift curve of the score 2·(y == t) + s, with s = y when control
/// converters outnumber treated non-converters, else s = t. Each kind of row gets its own score:
/// s = y: treated converters (3), control non-converters (2), control converters (1), treated non-converters (0);
/// s = t: treated converters (3), control non-converters (2), treated non-converters (1), control converters (0).
pub(crate) fn perfect_uplift_points(g: Groups) -> CurvePoints {
    let cc = (false, true, g.control_converted);
    let tn = (true, false, g.treated_not);
    let (third, fourth) = if g.control_converted > g.treated_not {
        (cc, tn)
    } else {
        (tn, cc)
    };
    block_points(
        Kind::Uplift,
        &[
            &[(true, true, g.treated_converted)],
            &[(false, false, g.control_not)],
            &[third],
            &[fourth],
        ],
    )
}

/// Random-targeting line of scikit-uplift's scores: (0, 0) to the last point of the perfect curve.
pub(crate) fn random_points(perfect: &CurvePoints) -> CurvePoints {
    let x = perfect.x.last().copied().unwrap_or(0.0);
    let y = perfect.y.last().copied().unwrap_or(0.0);
    CurvePoints {
        x: vec![0.0, x],
        y: vec![0.0, y],
    }
}

/// Qini curve of `score` (scikit-uplift 0.5.1 `qini_curve` + `perfect_qini_curve(negative_effect=True)`).
///
/// Errors: lengths differ (`LengthMismatch`), a score is NaN or infinite (`NotANumber`), an outcome is not
/// 0/1 (`OutcomeNotBinary`), no rows (`NoRows`), an arm is empty (`TooFewInArm`).
pub fn qini_curve<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
) -> Result<QiniCurve> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    Ok(qini_curve_ranked(&ranking, c.treatment, &c.outcome))
}

/// Uplift curve of `score` (scikit-uplift 0.5.1 `uplift_curve` + `perfect_uplift_curve`). Errors as
/// [`qini_curve`].
pub fn uplift_curve<T: OutcomeValue>(
    score: &[f64],
    treatment: &[bool],
    outcome: &[T],
) -> Result<UpliftCurve> {
    let c = check("uplift score", score, treatment, outcome)?;
    let ranking = Ranking::new(c.score);
    Ok(uplift_curve_ranked(&ranking, c.treatment, &c.outcome))
}

pub(crate) fn qini_curve_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
) -> QiniCurve {
    let pts = model_points(Kind::Qini, ranking, treatment, outcome);
    qini_curve_of(pts, Groups::count(treatment, outcome))
}

/// The Qini curve from its model points ([`model_points`]) and the row totals.
pub(crate) fn qini_curve_of(pts: CurvePoints, groups: Groups) -> QiniCurve {
    let perfect = perfect_qini_points(groups);
    let random = random_points(&perfect);
    QiniCurve {
        x: pts.x,
        y: pts.y,
        perfect,
        random,
    }
}

pub(crate) fn uplift_curve_ranked(
    ranking: &Ranking,
    treatment: &[bool],
    outcome: &[bool],
) -> UpliftCurve {
    let pts = model_points(Kind::Uplift, ranking, treatment, outcome);
    uplift_curve_of(pts, Groups::count(treatment, outcome))
}

/// The uplift curve from its model points ([`model_points`]) and the row totals.
pub(crate) fn uplift_curve_of(pts: CurvePoints, groups: Groups) -> UpliftCurve {
    let perfect = perfect_uplift_points(groups);
    let random = random_points(&perfect);
    UpliftCurve {
        x: pts.x,
        y: pts.y,
        perfect,
        random,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Six rows, hand-worked. Ranked (score desc, larger index first among ties):
    // row:       2     1     0     4     3     5
    // score:    0.9   0.5   0.5   0.2   0.2   0.1
    // treated:   T     C     T     T     C     C
    // y:         1     1     0     1     0     0
    // Tie blocks end after positions 1, 3, 5, 6.
    fn six() -> (Vec<f64>, Vec<bool>, Vec<u8>) {
        (
            vec![0.5, 0.5, 0.9, 0.2, 0.2, 0.1],
            vec![true, false, true, false, true, false],
            vec![0, 1, 1, 0, 1, 0],
        )
    }

    #[test]
    fn qini_by_hand() {
        let (s, t, y) = six();
        let c = qini_curve(&s, &t, &y).unwrap();
        assert_eq!(c.x, vec![0.0, 1.0, 3.0, 5.0, 6.0]);
        // k=1: nt=1 yt=1 nc=0 → 1 − 0 = 1
        // k=3: nt=2 yt=1 nc=1 yc=1 → 1 − 1·2/1 = −1
        // k=5: nt=3 yt=2 nc=2 yc=1 → 2 − 1·3/2 = 0.5
        // k=6: nt=3 yt=2 nc=3 yc=1 → 2 − 1·3/3 = 1
        assert_eq!(c.y, vec![0.0, 1.0, -1.0, 0.5, 1.0]);
        // Perfect: treated converters (2 rows) → (2, 2); non-converters (3) → (5, 2); control converter → (6, 1).
        assert_eq!(c.perfect.x, vec![0.0, 2.0, 5.0, 6.0]);
        assert_eq!(c.perfect.y, vec![0.0, 2.0, 2.0, 1.0]);
        assert_eq!(c.random.x, vec![0.0, 6.0]);
        assert_eq!(c.random.y, vec![0.0, 1.0]);
        // Area by trapezoids: 1·(0+1)/2 + 2·(1−1)/2 + 2·(−1+0.5)/2 + 1·(0.5+1)/2 = 0.5 + 0 − 0.5 + 0.75 = 0.75
        assert_eq!(c.points().area(), 0.75);
    }

    #[test]
    fn uplift_by_hand() {
        let (s, t, y) = six();
        let c = uplift_curve(&s, &t, &y).unwrap();
        // k=1: (1/1 − 0)·1 = 1;  k=3: (1/2 − 1/1)·3 = −1.5;  k=5: (2/3 − 1/2)·5 = 0.8333…;  k=6: (2/3 − 1/3)·6 = 2
        assert_eq!(c.x, vec![0.0, 1.0, 3.0, 5.0, 6.0]);
        assert_eq!(c.y[1], 1.0);
        assert_eq!(c.y[2], -1.5);
        assert!((c.y[3] - 5.0 / 6.0).abs() < 1e-15);
        assert!((c.y[4] - 2.0).abs() < 1e-15);
        // Control converters (1) > treated non-converters (1)? No → s = t: treated converters (2), control
        // non-converters (2), treated non-converters (1), control converters (1).
        // (2,  (2/2 − 0)·2 = 2), (4, (1 − 0/2)·4 = 4), (5, (2/3 − 0)·5 = 3.333…), (6, (2/3 − 1/3)·6 = 2)
        assert_eq!(c.perfect.x, vec![0.0, 2.0, 4.0, 5.0, 6.0]);
        assert_eq!(c.perfect.y[1..3], [2.0, 4.0]);
    }

    #[test]
    fn one_walk_gives_both_model_curves() {
        // The six rows: Qini y as in qini_by_hand; uplift y = (yt/nt − yc/nc)·k: k=1: (1 − 0)·1 = 1;
        // k=3: (1/2 − 1/1)·3 = −1.5; k=5: (2/3 − 1/2)·5 = 5/6; k=6: (2/3 − 1/3)·6 = 2.
        let (s, t, y) = six();
        let yb: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let ranking = Ranking::new(&s);
        let (q, u) = model_points_both(&ranking, &t, &yb);
        assert_eq!(q.x, vec![0.0, 1.0, 3.0, 5.0, 6.0]);
        assert_eq!(q.y, vec![0.0, 1.0, -1.0, 0.5, 1.0]);
        assert_eq!(u.x, q.x);
        let want = [0.0, 1.0, -1.5, 5.0 / 6.0, 2.0];
        for (a, b) in u.y.iter().zip(want) {
            assert!((a - b).abs() < 1e-12, "{:?}", u.y);
        }
        // 5,000 rows with many ties: equal to the separate walks to the bit.
        let n = 5_000;
        let s: Vec<f64> = (0..n).map(|i| ((i * 7_919) % 613) as f64 / 10.0).collect();
        let t: Vec<bool> = (0..n).map(|i| (i * 31) % 5 < 2).collect();
        let yb: Vec<bool> = (0..n).map(|i| (i * 13) % 17 == 0).collect();
        let ranking = Ranking::new(&s);
        let (q, u) = model_points_both(&ranking, &t, &yb);
        assert_eq!(q, model_points(Kind::Qini, &ranking, &t, &yb));
        assert_eq!(u, model_points(Kind::Uplift, &ranking, &t, &yb));
    }

    #[test]
    fn no_negative_effect_reference() {
        // Y_t = 2, N_t = 3, Y_c = 1, N_c = 3 → r = 2 − 3·1/3 = 1.
        let (_, t, y) = six();
        let y: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let p = perfect_qini_points_no_negative(Groups::count(&t, &y));
        assert_eq!(p.x, vec![0.0, 1.0, 6.0]);
        assert_eq!(p.y, vec![0.0, 1.0, 1.0]);
    }

    #[test]
    fn downsample_keeps_ends_and_spacing() {
        let p = CurvePoints {
            x: (0..11).map(f64::from).collect(),
            y: (0..11).map(|i| f64::from(i * i)).collect(),
        };
        let d = p.downsample(5);
        // Indices round(j·10/4) = 0, 3 (2.5 rounds up), 5, 8 (7.5 rounds up), 10.
        assert_eq!(d.x, vec![0.0, 3.0, 5.0, 8.0, 10.0]);
        assert_eq!(d.y, vec![0.0, 9.0, 25.0, 64.0, 100.0]);
        assert_eq!(p.downsample(50), p);
        assert_eq!(p.downsample(0).x, vec![0.0, 10.0]);
    }
}
