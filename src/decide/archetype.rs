//! Archetypes: every scored user is a Persuadable, Sure Thing, Lost Cause or Do-Not-Disturb; no targeting here.
//!
//! Rules (shared/DESIGN.md): Persuadable when τ̂ ≥ t+ (default: the break-even uplift, cost per contact ÷
//! value per conversion = $0.10 ÷ $40 = 0.0025, the demo generator's true cut); Do-Not-Disturb when τ̂ ≤ −t−;
//! otherwise Sure Thing when the base rate p̂0 ≥ b (default: the 90th percentile of p̂0), else Lost Cause.
//! Without p̂0 the response score stands in; without either, Sure Things and Lost Causes cannot be split
//! and every user with no sizable effect is shown as a Lost Cause ([`Thresholds::note`] says so).

use serde::{Deserialize, Serialize};

use super::scored::{BaseRateSource, Scored};
use crate::error::{Error, Result};

/// The four kinds of user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Archetype {
    Persuadable,
    SureThing,
    LostCause,
    DoNotDisturb,
}

impl Archetype {
    /// All four, in display order.
    pub const ALL: [Archetype; 4] = [
        Archetype::Persuadable,
        Archetype::SureThing,
        Archetype::LostCause,
        Archetype::DoNotDisturb,
    ];

    /// The code used in CSV columns (`persuadable`, `sure_thing`, `lost_cause`, `do_not_disturb`).
    pub fn code(self) -> &'static str {
        match self {
            Archetype::Persuadable => "persuadable",
            Archetype::SureThing => "sure_thing",
            Archetype::LostCause => "lost_cause",
            Archetype::DoNotDisturb => "do_not_disturb",
        }
    }

    /// The name shown to people.
    pub fn label(self) -> &'static str {
        match self {
            Archetype::Persuadable => "Persuadable",
            Archetype::SureThing => "Sure Thing",
            Archetype::LostCause => "Lost Cause",
            Archetype::DoNotDisturb => "Do-Not-Disturb",
        }
    }

    /// Read a CSV code (as written by [`Archetype::code`] or the demo generator's truth file).
    pub fn from_code(code: &str) -> Option<Archetype> {
        Archetype::ALL.into_iter().find(|a| a.code() == code)
    }

    /// Position in [`Archetype::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How to draw the lines between archetypes. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct ArchetypeParams {
    /// Cost of one contact, in money (default 0.10).
    pub cost_per_contact: f64,
    /// Value of one conversion, in money (default 40).
    pub value_per_conversion: f64,
    /// Smallest uplift that makes a Persuadable, probability scale; `None` = break-even
    /// (cost per contact ÷ value per conversion; 0.0025 with the defaults).
    pub persuadable_min: Option<f64>,
    /// Size of the negative effect that makes a Do-Not-Disturb: τ̂ ≤ −this, probability scale, ≥ 0 (default 0.001,
    /// the demo generator's true Do-Not-Disturb line).
    pub do_not_disturb_min: f64,
    /// Base rate at or above which a user with no sizable effect is a Sure Thing; `None` = the
    /// `base_rate_quantile` of the base-rate score.
    pub base_rate_min: Option<f64>,
    /// Quantile of the base-rate score used when `base_rate_min` is not set, in (0, 1) (default 0.9).
    pub base_rate_quantile: f64,
}

impl Default for ArchetypeParams {
    fn default() -> Self {
        Self {
            cost_per_contact: 0.10,
            value_per_conversion: 40.0,
            persuadable_min: None,
            do_not_disturb_min: 0.001,
            base_rate_min: None,
            base_rate_quantile: 0.9,
        }
    }
}

impl ArchetypeParams {
    /// Check every field; errors name the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |name, expected, v: f64| Error::BadParam {
            name,
            expected,
            found: v.to_string(),
        };
        if !(self.cost_per_contact.is_finite() && self.cost_per_contact >= 0.0) {
            return Err(bad("cost per contact", "0 or more", self.cost_per_contact));
        }
        if !(self.value_per_conversion.is_finite() && self.value_per_conversion > 0.0) {
            return Err(bad(
                "value per conversion",
                "more than 0",
                self.value_per_conversion,
            ));
        }
        if let Some(t) = self.persuadable_min {
            if !(-1.0..=1.0).contains(&t) {
                return Err(bad("persuadable threshold", "between -1 and 1", t));
            }
        }
        if !(0.0..=1.0).contains(&self.do_not_disturb_min) {
            return Err(bad(
                "do-not-disturb threshold",
                "between 0 and 1",
                self.do_not_disturb_min,
            ));
        }
        if let Some(b) = self.base_rate_min {
            if !b.is_finite() {
                return Err(bad("base-rate cut", "a number", b));
            }
        }
        if !(self.base_rate_quantile > 0.0 && self.base_rate_quantile < 1.0) {
            return Err(bad(
                "base-rate quantile",
                "between 0 and 1 (exclusive)",
                self.base_rate_quantile,
            ));
        }
        Ok(())
    }

    /// The break-even uplift: cost per contact ÷ value per conversion.
    pub fn break_even(&self) -> f64 {
        self.cost_per_contact / self.value_per_conversion
    }
}

/// The thresholds actually used, to state in the UI and the model card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Thresholds {
    /// τ̂ ≥ this ⇒ Persuadable.
    pub persuadable_min: f64,
    /// τ̂ ≤ this (a negative number) ⇒ Do-Not-Disturb.
    pub do_not_disturb_max: f64,
    /// Base-rate score ≥ this ⇒ Sure Thing (when neither of the above); `None` when there is no base rate.
    pub base_rate_min: Option<f64>,
    pub base_rate_source: BaseRateSource,
    /// Cost per contact ÷ value per conversion.
    pub break_even: f64,
    /// Plain-words caveat (e.g. no base rate), if any.
    pub note: Option<String>,
}

impl Thresholds {
    /// The archetype of one user.
    pub fn classify(&self, uplift: f64, base_rate: Option<f64>) -> Archetype {
        if uplift >= self.persuadable_min {
            Archetype::Persuadable
        } else if uplift <= self.do_not_disturb_max {
            Archetype::DoNotDisturb
        } else {
            match (base_rate, self.base_rate_min) {
                (Some(p), Some(b)) if p >= b => Archetype::SureThing,
                _ => Archetype::LostCause,
            }
        }
    }
}

/// One archetype's summary row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchetypeSummary {
    pub archetype: Archetype,
    pub label: String,
    pub count: usize,
    /// count ÷ all users.
    pub share: f64,
    /// Mean τ̂ of the archetype (`None` when empty).
    pub mean_uplift: Option<f64>,
    /// Mean p̂0 (`None` when empty or no p̂0).
    pub mean_p_control: Option<f64>,
    /// Observed conversion rate of treated minus control users in the archetype (`None` when an arm is empty).
    pub observed_difference: Option<f64>,
    pub treated: usize,
    pub control: usize,
}

/// Every user's archetype plus the summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Archetypes {
    pub thresholds: Thresholds,
    /// One per user, in input order.
    pub labels: Vec<Archetype>,
    /// One row per archetype, in [`Archetype::ALL`] order.
    pub summary: Vec<ArchetypeSummary>,
}

/// Work out the thresholds from the params and the data.
pub fn thresholds(scored: &Scored, params: &ArchetypeParams) -> Result<Thresholds> {
    params.validate()?;
    let break_even = params.break_even();
    let base = scored.base_rate_score();
    let (base_rate_min, source, note) = match base {
        None => (
            None,
            BaseRateSource::None,
            Some("No base rate (p_control) or response score was given, so Sure Things and Lost Causes cannot be told apart: every user without a sizable effect is shown as a Lost Cause.".to_string()),
        ),
        Some((b, src)) => {
            let cut = match params.base_rate_min {
                Some(c) => c,
                None => quantile(b, params.base_rate_quantile),
            };
            let note = (src == BaseRateSource::ResponseScore).then(|| {
                "No base rate (p_control) was given: the response score splits Sure Things from Lost Causes.".to_string()
            });
            (Some(cut), src, note)
        }
    };
    Ok(Thresholds {
        persuadable_min: params.persuadable_min.unwrap_or(break_even),
        do_not_disturb_max: -params.do_not_disturb_min,
        base_rate_min,
        base_rate_source: source,
        break_even,
        note,
    })
}

/// Label every user and summarise each archetype.
pub fn assign(scored: &Scored, params: &ArchetypeParams) -> Result<Archetypes> {
    scored.validate()?;
    let th = thresholds(scored, params)?;
    let base = scored.base_rate_score().map(|(b, _)| b);
    let labels: Vec<Archetype> = (0..scored.len())
        .map(|i| th.classify(scored.uplift[i], base.map(|b| b[i])))
        .collect();
    let summary = summarise(scored, &labels);
    Ok(Archetypes {
        thresholds: th,
        labels,
        summary,
    })
}

/// Per-archetype counts, shares, means and observed treated − control difference.
pub fn summarise(scored: &Scored, labels: &[Archetype]) -> Vec<ArchetypeSummary> {
    #[derive(Default, Clone, Copy)]
    struct Acc {
        n: usize,
        tau: f64,
        p0: f64,
        nt: usize,
        yt: f64,
        nc: usize,
        yc: f64,
    }
    let mut acc = [Acc::default(); 4];
    for (i, a) in labels.iter().enumerate() {
        let s = &mut acc[a.index()];
        s.n += 1;
        s.tau += scored.uplift[i];
        if let Some(p) = &scored.p_control {
            s.p0 += p[i];
        }
        if scored.treatment[i] {
            s.nt += 1;
            s.yt += scored.outcome[i];
        } else {
            s.nc += 1;
            s.yc += scored.outcome[i];
        }
    }
    let total = labels.len().max(1) as f64;
    Archetype::ALL
        .iter()
        .map(|&a| {
            let s = acc[a.index()];
            let mean = |x: f64| (s.n > 0).then(|| x / s.n as f64);
            ArchetypeSummary {
                archetype: a,
                label: a.label().to_string(),
                count: s.n,
                share: s.n as f64 / total,
                mean_uplift: mean(s.tau),
                mean_p_control: scored.p_control.as_ref().and_then(|_| mean(s.p0)),
                observed_difference: (s.nt > 0 && s.nc > 0)
                    .then(|| s.yt / s.nt as f64 - s.yc / s.nc as f64),
                treated: s.nt,
                control: s.nc,
            }
        })
        .collect()
}

/// Agreement of predicted archetypes with true ones (generated data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArchetypeAccuracy {
    /// Share of users whose predicted archetype is the true one.
    pub overall: f64,
    /// Per true archetype: share of its users predicted correctly (recall); `None` when none exist.
    pub recall: Vec<(Archetype, Option<f64>)>,
    /// `confusion[true][predicted]` counts, in [`Archetype::ALL`] order.
    pub confusion: [[usize; 4]; 4],
}

/// Compare predicted and true archetypes.
pub fn accuracy(predicted: &[Archetype], truth: &[Archetype]) -> Result<ArchetypeAccuracy> {
    if predicted.len() != truth.len() {
        return Err(Error::LengthMismatch {
            what: "The true archetypes",
            found: truth.len(),
            reference: "the scored users",
            expected: predicted.len(),
        });
    }
    if predicted.is_empty() {
        return Err(Error::NoRows);
    }
    let mut confusion = [[0usize; 4]; 4];
    for (p, t) in predicted.iter().zip(truth) {
        confusion[t.index()][p.index()] += 1;
    }
    let correct: usize = (0..4).map(|k| confusion[k][k]).sum();
    let recall = Archetype::ALL
        .iter()
        .map(|&a| {
            let row: usize = confusion[a.index()].iter().sum();
            (
                a,
                (row > 0).then(|| confusion[a.index()][a.index()] as f64 / row as f64),
            )
        })
        .collect();
    Ok(ArchetypeAccuracy {
        overall: correct as f64 / predicted.len() as f64,
        recall,
        confusion,
    })
}

/// The q-quantile (nearest rank, lower) of the values; 0 for an empty slice.
pub(crate) fn quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut v = values.to_vec();
    let k = ((q * (v.len() - 1) as f64).floor() as usize).min(v.len() - 1);
    let (_, x, _) = v.select_nth_unstable_by(k, |a, b| a.total_cmp(b));
    *x
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scored() -> Scored {
        // Five users. Defaults: t+ = 0.10/40 = 0.0025, t− = 0.001.
        let mut s = Scored::new(
            vec![0.004, 0.0025, -0.002, 0.0, 0.001],
            vec![true, false, true, false, true],
            vec![1.0, 0.0, 0.0, 0.0, 1.0],
        );
        s.p_control = Some(vec![0.01, 0.02, 0.03, 0.05, 0.001]);
        s
    }

    #[test]
    fn classifies_by_break_even_and_base_rate() {
        let s = scored();
        // Base-rate cut: explicit 0.02.
        let p = ArchetypeParams {
            base_rate_min: Some(0.02),
            ..Default::default()
        };
        let a = assign(&s, &p).unwrap();
        assert_eq!(a.thresholds.persuadable_min, 0.0025);
        assert_eq!(a.thresholds.do_not_disturb_max, -0.001);
        // 0.004 ≥ 0.0025 P; 0.0025 ≥ 0.0025 P (at the threshold); −0.002 ≤ −0.001 DND;
        // 0.0 with p0 0.05 ≥ 0.02 ST; 0.001 with p0 0.001 LC.
        assert_eq!(
            a.labels,
            vec![
                Archetype::Persuadable,
                Archetype::Persuadable,
                Archetype::DoNotDisturb,
                Archetype::SureThing,
                Archetype::LostCause
            ]
        );
        let p_row = &a.summary[0];
        assert_eq!(p_row.count, 2);
        assert_eq!(p_row.share, 0.4);
        // mean τ̂ (0.004 + 0.0025)/2 = 0.00325; mean p0 (0.01 + 0.02)/2 = 0.015.
        assert!((p_row.mean_uplift.unwrap() - 0.00325).abs() < 1e-12);
        assert!((p_row.mean_p_control.unwrap() - 0.015).abs() < 1e-12);
        // Treated user 0 converted (1/1), control user 1 did not (0/1): difference 1.0.
        assert_eq!(p_row.observed_difference, Some(1.0));
        // Sure Thing: one control user only: no difference.
        assert_eq!(a.summary[1].observed_difference, None);
    }

    #[test]
    fn default_base_rate_cut_is_the_90th_percentile() {
        // p0 sorted: 0.001 0.01 0.02 0.03 0.05; floor(0.9 × 4) = 3 ⇒ 0.03.
        let th = thresholds(&scored(), &ArchetypeParams::default()).unwrap();
        assert_eq!(th.base_rate_min, Some(0.03));
        assert_eq!(th.base_rate_source, BaseRateSource::PControl);
        assert!(th.note.is_none());
    }

    #[test]
    fn without_base_rate_there_are_no_sure_things() {
        let mut s = scored();
        s.p_control = None;
        let a = assign(&s, &ArchetypeParams::default()).unwrap();
        assert_eq!(a.thresholds.base_rate_source, BaseRateSource::None);
        assert!(a
            .thresholds
            .note
            .as_deref()
            .unwrap()
            .contains("cannot be told apart"));
        assert_eq!(a.summary[1].count, 0);
        assert_eq!(a.summary[2].count, 2);
    }

    #[test]
    fn params_are_checked() {
        let p = ArchetypeParams {
            value_per_conversion: 0.0,
            ..Default::default()
        };
        assert_eq!(
            assign(&scored(), &p).unwrap_err().to_string(),
            "Setting “value per conversion” is 0, but it must be more than 0."
        );
        let p: ArchetypeParams = serde_json::from_str("{}").unwrap();
        assert_eq!(p, ArchetypeParams::default());
        assert!(serde_json::from_str::<ArchetypeParams>("{\"bogus\":1}").is_err());
    }

    #[test]
    fn defaults_match_the_demo_generators_truth() {
        use crate::data::generate::{TRUE_DND_MAX, TRUE_PERSUADABLE_MIN};
        let p = ArchetypeParams::default();
        assert_eq!(p.break_even(), TRUE_PERSUADABLE_MIN);
        assert_eq!(-p.do_not_disturb_min, TRUE_DND_MAX);
    }

    #[test]
    fn accuracy_counts_the_diagonal() {
        use Archetype::*;
        let pred = [Persuadable, Persuadable, LostCause, SureThing];
        let truth = [Persuadable, LostCause, LostCause, LostCause];
        let acc = accuracy(&pred, &truth).unwrap();
        // Correct: rows 0 and 2 ⇒ 2/4.
        assert_eq!(acc.overall, 0.5);
        assert_eq!(acc.recall[0], (Persuadable, Some(1.0)));
        // 3 true Lost Causes, 1 right.
        assert_eq!(acc.recall[2], (LostCause, Some(1.0 / 3.0)));
        assert_eq!(acc.recall[3], (DoNotDisturb, None));
        assert_eq!(acc.confusion[2][0], 1);
    }
}
