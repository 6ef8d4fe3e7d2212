//! A trained session, as the page holds it: scores, metrics, segment rules and the campaign built once; every
//! later request (a budget move, a review page, an export) only reads it. Pure: no JS, no I/O, no clock.
//!
//! The page's worker keeps one [`Trained`] per fit and sends the page compact answers ([`TrainSummary`],
//! [`CampaignView`], pages of the review queue) — never the per-user vectors, which stay here.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::charts::histogram::UpliftHistogram;
use crate::data::binning::BinnedMatrix;
use crate::data::prepare::{Ids, Prepared};
use crate::data::table::Table;
use crate::decide::archetype::{ArchetypeSummary, Thresholds};
use crate::decide::fairness::GroupColumn;
use crate::decide::review::{ReviewPage, ReviewQuery, ReviewSummary};
use crate::decide::rules::{explain, RuleParams, SegmentRules};
use crate::decide::simulator::{Budget, BudgetCurve};
use crate::error::{Error, Result};
use crate::learners::CancelFn;
use crate::metrics::band::{qini_band, QiniBand, QiniBandParams};
use crate::metrics::calibration::{calibration, CalibrationReport};
use crate::metrics::report::{uplift_metrics, MetricsParams, UpliftMetrics};
use crate::uplift::auto::AutoReport;
use crate::uplift::propensity::PropensityReport;
use crate::uplift::StageTiming;

use super::campaign::{attribute_column, scored_from, Campaign, CampaignParams, CampaignView};
use super::run::{score, RunParams, ScoreRun};
use super::scores::ScoreColumns;
use crate::decide::scored::Scored;

/// Everything the Train button sends. Every field has a default, so the page may send `{}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainParams {
    /// Learner, folds, clipping, imbalance weighting, trees, seed (defaults of [`RunParams`]).
    pub run: RunParams,
    /// Costs, values, archetype thresholds, review and audit settings (defaults of [`CampaignParams`]).
    pub campaign: CampaignParams,
    /// Qini/AUUC intervals and deciles (defaults of [`MetricsParams`]).
    pub metrics: MetricsParams,
    /// Column names of the attributes to audit; `None` = the audit columns of the chosen roles.
    pub audit: Option<Vec<String>>,
    /// Segment-rule tree size (defaults of [`RuleParams`]).
    pub rules: RuleParams,
    /// The Qini chart's bootstrap band (defaults of [`QiniBandParams`]).
    pub band: QiniBandParams,
    /// Bins of the τ̂ histogram, 1..=1000 (default 60).
    pub histogram_bins: usize,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams {
            run: RunParams::default(),
            campaign: CampaignParams::default(),
            metrics: MetricsParams::default(),
            audit: None,
            rules: RuleParams::default(),
            band: QiniBandParams::default(),
            histogram_bins: 60,
        }
    }
}

/// Calibration points per arm in [`TrainSummary::calibration_report`].
const CALIBRATION_BINS: usize = 10;

/// A fit (or scores the user brought) and every decision structure built from it.
pub struct Trained {
    /// The fit; `None` when the scores came with the data ([`Trained::from_scores`]).
    pub run: Option<ScoreRun>,
    pub metrics: UpliftMetrics,
    /// The same metrics for the response score (P(convert | treated)): what conversion-rate targeting ranks by.
    /// `None` for brought scores without a `response_score` or `p_treated` column.
    pub response_metrics: Option<UpliftMetrics>,
    /// `None` for brought scores without both `p_control` and `p_treated`.
    pub calibration: Option<CalibrationReport>,
    /// Plain-words findings of the fit (or about the brought scores).
    pub warnings: Vec<String>,
    /// Pointwise bootstrap band of τ̂'s Qini curve.
    pub band: QiniBand,
    /// τ̂ by archetype, binned for the histogram.
    pub histogram: UpliftHistogram,
    pub campaign: Campaign,
    pub rules: SegmentRules,
    pub params: TrainParams,
    /// Names of the audited attributes, in the order of `campaign.fairness`.
    pub audit_names: Vec<String>,
    attributes: Vec<GroupColumn>,
    binned: BinnedMatrix,
    feature_names: Vec<String>,
    curve: BudgetCurve,
    /// Milliseconds per stage of the whole training (fit stages, then metrics, campaign, rules).
    pub timings: Vec<StageTiming>,
}

/// What the page shows after training: small, never the per-user vectors.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrainSummary<'a> {
    pub rows: usize,
    /// "S", "T", "X", "DR", "blend", or "yours" when the scores came with the data (nothing was trained).
    pub learner_used: &'static str,
    pub base_learner: &'static str,
    /// True when the scores came with the data ([`Trained::from_scores`]): no model was trained.
    pub own_scores: bool,
    /// Why auto chose this learner, with the runner-up (only when auto chose).
    pub auto: Option<&'a AutoReport>,
    pub metrics: &'a UpliftMetrics,
    pub response_metrics: Option<&'a UpliftMetrics>,
    pub calibration: Option<&'a CalibrationReport>,
    pub band: &'a QiniBand,
    pub histogram: &'a UpliftHistogram,
    pub thresholds: &'a Thresholds,
    pub archetypes: &'a [ArchetypeSummary],
    pub rules: &'a SegmentRules,
    pub review: &'a ReviewSummary,
    /// `None` for brought scores (no propensity model).
    pub propensity: Option<&'a PropensityReport>,
    pub audit: &'a [String],
    pub warnings: &'a [String],
    pub timings: &'a [StageTiming],
    pub settings: &'a TrainParams,
}

/// The attributes to audit: the named columns, or the roles' audit columns.
fn audit_columns(table: &Table, prepared: &Prepared, names: &[String]) -> Result<Vec<GroupColumn>> {
    names
        .iter()
        .map(|name| attribute_column(table, name, &prepared.rows))
        .collect()
}

/// Fit, measure, build the campaign and explain the archetypes. `roles_audit`: the audit columns of the chosen
/// roles (used when `params.audit` is `None`). `progress(stage, fraction)` gets plain stage names; `now_ms` (a
/// clock in milliseconds) fills `timings` — without it they are 0.
pub fn train(
    table: &Table,
    prepared: &Prepared,
    roles_audit: &[String],
    params: &TrainParams,
    progress: &mut dyn FnMut(&str, f64),
    cancel: CancelFn,
    now_ms: Option<&dyn Fn() -> f64>,
) -> Result<Trained> {
    params.metrics.validate()?;
    let clock = || now_ms.map_or(0.0, |f| f());
    let audit_names = params.audit.clone().unwrap_or_else(|| roles_audit.to_vec());
    let attributes = audit_columns(table, prepared, &audit_names)?;
    let run = score(prepared, &params.run, progress, cancel, now_ms)?;
    let mut timings = run.fit.timings.clone();
    let f = &run.fit;
    let scored = scored_from(
        prepared,
        f.uplift.clone(),
        Some(f.uplift_se.clone()),
        Some(f.p_control.clone()),
        Some(f.p_treated.clone()),
        Some(f.response_score.clone()),
    );
    let warnings = f.warnings.clone();
    let mut trained = assemble(
        prepared,
        params,
        scored,
        attributes,
        audit_names,
        progress,
        &clock,
        &mut timings,
    )?;
    progress("Done", 1.0);
    trained.run = Some(run);
    trained.warnings = warnings;
    trained.timings = timings;
    Ok(trained)
}

/// What both paths share once the scores exist (fitted by [`train`] or brought by [`from_scores`]): measure them
/// (Qini with intervals and band; the response score's metrics and the calibration when the scores carry them),
/// build the campaign and explain the archetypes. Each stage's time (by `clock`, in ms) is pushed onto `timings`;
/// the returned `run`, `warnings` and `timings` are empty, for the caller to fill. (Eight arguments: the two
/// callers hold them as separate values; a struct made only to pass them would add a name, not clarity.)
#[allow(clippy::too_many_arguments)]
fn assemble(
    prepared: &Prepared,
    params: &TrainParams,
    scored: Scored,
    attributes: Vec<GroupColumn>,
    audit_names: Vec<String>,
    progress: &mut dyn FnMut(&str, f64),
    clock: &dyn Fn() -> f64,
    timings: &mut Vec<StageTiming>,
) -> Result<Trained> {
    let mut t0 = clock();
    let mut lap = |stage: &str| {
        let now = clock();
        timings.push(StageTiming {
            stage: stage.to_string(),
            ms: now - t0,
        });
        t0 = now;
    };
    progress("Measuring the ranking (Qini, intervals)", 0.0);
    let (t, y, m) = (&prepared.treatment, &prepared.outcome, &params.metrics);
    let metrics = uplift_metrics(&scored.uplift, t, y, m)?;
    // Conversion-rate targeting ranks by the response score, else by P(convert | treated).
    let response = scored.response_score.as_ref().or(scored.p_treated.as_ref());
    let response_metrics = response.map(|r| uplift_metrics(r, t, y, m)).transpose()?;
    let calibration = match (&scored.p_control, &scored.p_treated) {
        (Some(p0), Some(p1)) => Some(calibration(p0, p1, t, y, CALIBRATION_BINS, m.confidence)?),
        _ => None,
    };
    progress("Drawing the interval band of the Qini curve", 0.0);
    let band = qini_band(&scored.uplift, t, y, &params.band)?;
    lap("metrics");
    progress("Building archetypes, review queue and simulator", 0.0);
    let campaign = Campaign::build(scored, attributes.clone(), params.campaign.clone())?;
    let curve = campaign.simulator.curve();
    let histogram = histogram(&campaign, params.histogram_bins)?;
    lap("campaign");
    progress("Explaining the segments", 0.0);
    let design = prepared.design(&params.run.bins);
    let rules = explain(
        &design.binned,
        &design.names,
        &campaign.archetypes.labels,
        &params.rules,
    )?;
    lap("segment rules");
    Ok(Trained {
        run: None,
        metrics,
        response_metrics,
        calibration,
        warnings: Vec::new(),
        band,
        histogram,
        campaign,
        rules,
        params: params.clone(),
        audit_names,
        attributes,
        binned: design.binned,
        feature_names: design.names,
        curve,
        timings: Vec::new(),
    })
}

fn histogram(c: &Campaign, bins: usize) -> Result<UpliftHistogram> {
    let a = &c.archetypes;
    UpliftHistogram::new(&c.scored.uplift, &a.labels, &a.thresholds, bins)
}

/// Scores brought with the data: measure them and build the campaign and segment rules, as [`train`] does
/// after its fit. `scores` are read from the same table ([`ScoreColumns::from_table`]) and aligned to the kept
/// rows here; `params.run` is unused (nothing is fitted).
pub fn from_scores(
    table: &Table,
    prepared: &Prepared,
    roles_audit: &[String],
    scores: &ScoreColumns,
    params: &TrainParams,
) -> Result<Trained> {
    params.metrics.validate()?;
    let audit_names = params.audit.clone().unwrap_or_else(|| roles_audit.to_vec());
    let attributes = audit_columns(table, prepared, &audit_names)?;
    let at = scores.align(&prepared.rows)?;
    let pick = |v: &Vec<f64>| at.iter().map(|&p| v[p]).collect::<Vec<f64>>();
    let scored = scored_from(
        prepared,
        pick(&scores.uplift),
        scores.uplift_se.as_ref().map(pick),
        scores.p_control.as_ref().map(pick),
        scores.p_treated.as_ref().map(pick),
        scores.response_score.as_ref().map(pick),
    );
    assemble(
        prepared,
        params,
        scored,
        attributes,
        audit_names,
        &mut |_, _| {},
        &|| 0.0,
        &mut Vec::new(),
    )
}

impl Trained {
    /// The compact answer of a training run.
    pub fn summary(&self) -> TrainSummary<'_> {
        let f = self.run.as_ref().map(|r| &r.fit);
        TrainSummary {
            rows: self.campaign.scored.uplift.len(),
            learner_used: f.map_or("yours", |f| f.learner_used.label()),
            base_learner: self
                .run
                .as_ref()
                .map_or("your scores file", |r| r.base_learner),
            own_scores: self.run.is_none(),
            auto: f.and_then(|f| f.auto.as_ref()),
            metrics: &self.metrics,
            response_metrics: self.response_metrics.as_ref(),
            calibration: self.calibration.as_ref(),
            band: &self.band,
            histogram: &self.histogram,
            thresholds: &self.campaign.archetypes.thresholds,
            archetypes: &self.campaign.archetypes.summary,
            rules: &self.rules,
            review: &self.campaign.review.summary,
            propensity: f.map(|f| &f.propensity_report),
            audit: &self.audit_names,
            warnings: &self.warnings,
            timings: &self.timings,
            settings: &self.params,
        }
    }

    /// New costs, values or thresholds: rebuild archetypes, review flags, simulator, fairness and rules
    /// (the fit stays). The privileged groups chosen before are kept.
    pub fn set_campaign(&mut self, params: CampaignParams) -> Result<()> {
        let scored = self.campaign.scored.clone();
        let mut campaign = Campaign::build(scored, self.attributes.clone(), params.clone())?;
        for i in 0..self.attributes.len() {
            campaign.set_privileged(i, self.campaign.privileged(i).map(str::to_string))?;
        }
        self.rules = explain(
            &self.binned,
            &self.feature_names,
            &campaign.archetypes.labels,
            &self.params.rules,
        )?;
        self.curve = campaign.simulator.curve();
        self.histogram = histogram(&campaign, self.params.histogram_bins)?;
        self.campaign = campaign;
        self.params.campaign = params;
        Ok(())
    }

    /// Name the privileged group of the audited attribute `column` (`None`: lowest vs highest rate).
    pub fn set_privileged(&mut self, column: &str, group: Option<String>) -> Result<()> {
        let i = self.audit_names.iter().position(|a| a == column);
        let i = i.ok_or_else(|| Error::BadParam {
            name: "audited attribute",
            expected: "one of the attributes chosen for the audit",
            found: format!("“{column}”"),
        })?;
        self.campaign.set_privileged(i, group)
    }

    /// KPIs, audits and the fairness-aware option at this budget.
    pub fn view(&self, budget: Budget) -> Result<CampaignView> {
        self.campaign.view(budget)
    }

    /// Every policy's KPIs over the budget range (computed once per campaign).
    pub fn curve(&self) -> &BudgetCurve {
        &self.curve
    }

    /// One page of the review queue.
    pub fn review_page(&self, query: &ReviewQuery) -> Result<ReviewPage> {
        let c = &self.campaign;
        c.review.page(&c.scored, &c.archetypes, query)
    }

    /// SCORES.csv of every kept row (see [`ScoreColumns`]).
    pub fn scores_csv(&self, prepared: &Prepared) -> Result<String> {
        let c = &self.campaign;
        let s = &c.scored;
        let columns = ScoreColumns {
            row: prepared.rows.clone(),
            uplift: s.uplift.clone(),
            uplift_se: s.uplift_se.clone(),
            p_control: s.p_control.clone(),
            p_treated: s.p_treated.clone(),
            response_score: s.response_score.clone(),
            id: prepared.ids.as_ref().map(Ids::to_strings),
            archetype: Some(
                c.archetypes
                    .labels
                    .iter()
                    .map(|a| a.code().into())
                    .collect(),
            ),
            review: Some(
                (0..c.review.len())
                    .map(|i| {
                        c.review
                            .reason(i)
                            .map_or(String::new(), |r| r.code().into())
                    })
                    .collect(),
            ),
        };
        let mut out = Vec::new();
        columns.write_csv(&mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// The review queue as CSV (every user, or only the flagged ones).
    pub fn review_csv(&self, prepared: &Prepared, flagged_only: bool) -> Result<String> {
        let c = &self.campaign;
        let mut out = Vec::new();
        let ids = prepared.ids.as_ref().map(Ids::to_strings);
        c.review.write_csv(
            &mut out,
            &c.scored,
            &c.archetypes,
            ids.as_deref(),
            flagged_only,
        )?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    /// The fairness audit at this budget: one table per attribute, plus the fairness-aware option.
    pub fn audit_json(&self, budget: Budget) -> Result<Value> {
        let view = self.view(budget)?;
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "budget": budget,
            "targeted": view.simulation.targeted,
            "share": view.simulation.share,
            "attributes": self.audit_names,
            "audits": view.audits,
            "fairTargeting": view.fair_targeting,
            "settings": self.params.campaign.audit,
        }))
    }

    /// `model_card.json`: data, settings (incl. clipping and imbalance weighting), metrics with intervals,
    /// calibration, archetype thresholds, the audit at this budget, timings and the version.
    pub fn model_card(&self, prepared: &Prepared, budget: Budget) -> Result<Value> {
        let f = self.run.as_ref().map(|r| &r.fit);
        let u = &self.params.run.uplift;
        let view = self.view(budget)?;
        let model = match f {
            Some(f) => json!({
                "learnerRequested": u.learner.label(),
                "learnerUsed": f.learner_used.label(),
                "baseLearner": self.run.as_ref().map(|r| r.base_learner),
                "auto": f.auto,
                "propensityClip": u.propensity_clip,
                "imbalanceWeighting": u.imbalance_weighting,
                "settings": self.params,
            }),
            None => json!({
                "learnerUsed": "yours",
                "baseLearner": "your scores file",
                "note": "The scores came with the data: no model was trained here.",
                "settings": self.params,
            }),
        };
        Ok(json!({
            "version": env!("CARGO_PKG_VERSION"),
            "data": {
                "rows": prepared.n_rows(),
                "features": prepared.feature_names,
                "validation": prepared.report,
            },
            "model": model,
            "propensity": f.map(|f| &f.propensity_report),
            "metrics": { "uplift": self.metrics, "responseScore": self.response_metrics },
            "calibration": { "overall": f.map(|f| &f.calibration), "byDecile": self.calibration },
            "archetypes": {
                "thresholds": self.campaign.archetypes.thresholds,
                "summary": self.campaign.archetypes.summary,
                "rules": self.rules,
            },
            "review": self.campaign.review.summary,
            "audit": { "budget": budget, "simulation": view.simulation, "audits": view.audits, "fairTargeting": view.fair_targeting },
            "warnings": self.warnings,
            "timings": self.timings,
        }))
    }
}

/// Pass `progress` on only when the stage changes or the fraction moved by ≥ `step` (the page's worker posts
/// one message per call, so a fit's thousands of calls would flood the page).
pub fn throttled<'a>(
    step: f64,
    mut inner: impl FnMut(&str, f64) + 'a,
) -> impl FnMut(&str, f64) + 'a {
    let mut last_stage = String::new();
    let mut last_fraction = f64::NEG_INFINITY;
    move |stage: &str, fraction: f64| {
        if stage != last_stage || (fraction - last_fraction).abs() >= step || fraction >= 1.0 {
            if stage != last_stage {
                last_stage = stage.to_string();
            }
            last_fraction = fraction;
            inner(stage, fraction);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::generate::{demo_csv, DemoParams};
    use crate::data::prepare::prepare;
    use crate::learners::gbdt::GbdtParams;

    #[test]
    fn throttled_passes_stage_changes_and_big_steps_only() {
        let mut seen = Vec::new();
        {
            let mut p = throttled(0.1, |s: &str, f: f64| seen.push((s.to_string(), f)));
            // a: 0.0 (new stage) → kept; 0.05 (< 0.1 from 0.0) dropped; 0.1 kept; 0.15 dropped;
            // b: new stage kept; 1.0 always kept.
            for (s, f) in [
                ("a", 0.0),
                ("a", 0.05),
                ("a", 0.1),
                ("a", 0.15),
                ("b", 0.15),
                ("b", 1.0),
            ] {
                p(s, f);
            }
        }
        let fractions: Vec<f64> = seen.iter().map(|(_, f)| *f).collect();
        assert_eq!(fractions, vec![0.0, 0.1, 0.15, 1.0]);
        assert_eq!(seen[2].0, "b");
    }

    fn small() -> (Table, Prepared, TrainParams) {
        // 20,000 demo rows: enough control conversions for 2 folds; audit engagement and app_user (the roles).
        let csv = demo_csv(&DemoParams {
            rows: 20_000,
            seed: 7,
        })
        .unwrap();
        let table = Table::from_bytes(csv.as_bytes()).unwrap();
        let roles = table.summary().roles;
        let prepared = prepare(&table, &roles).unwrap();
        let mut params = TrainParams::default();
        params.run.uplift.learner = crate::uplift::MetaLearner::T;
        params.run.uplift.folds = 2;
        params.run.base.gbdt = GbdtParams {
            trees: 10,
            ..GbdtParams::default()
        };
        params.metrics.replicates = 20;
        params.band.replicates = 10;
        (table, prepared, params)
    }

    fn audit() -> Vec<String> {
        vec!["engagement".into(), "app_user".into()]
    }

    #[test]
    fn train_then_decide_and_export() {
        let (table, prepared, params) = small();
        let mut stages = Vec::new();
        let mut progress = |s: &str, _f: f64| stages.push(s.to_string());
        let t = train(
            &table,
            &prepared,
            &audit(),
            &params,
            &mut progress,
            &|| false,
            None,
        )
        .unwrap();
        assert!(stages.iter().any(|s| s == "Explaining the segments"));
        let s = t.summary();
        assert_eq!(s.rows, 20_000);
        assert_eq!(s.learner_used, "T");
        // The roles' audit columns are audited when the params name none.
        assert_eq!(t.audit_names, audit());
        assert_eq!(t.view(Budget::Share(0.3)).unwrap().audits.len(), 2);
        // More budget ⇒ at least as much spend (spend = targeted × cost per contact).
        let a = t.view(Budget::Share(0.1)).unwrap().simulation.spend;
        let b = t.view(Budget::Share(0.5)).unwrap().simulation.spend;
        assert!(b > a, "{a} {b}");
        let csv = t.scores_csv(&prepared).unwrap();
        let mut lines = csv.lines();
        assert!(lines
            .next()
            .unwrap()
            .starts_with("row,uplift,uplift_se,p_control,p_treated,response_score"));
        assert_eq!(lines.count(), 20_000);
        let card = t.model_card(&prepared, Budget::Share(0.3)).unwrap();
        assert_eq!(card["model"]["learnerUsed"], "T");
        assert_eq!(card["model"]["propensityClip"], 0.01);
        assert_eq!(card["model"]["imbalanceWeighting"], false);
        assert!(card["metrics"]["uplift"]["qiniCurve"].is_object());
        let review = t.review_csv(&prepared, false).unwrap();
        assert_eq!(review.lines().count(), 20_001);
    }

    #[test]
    fn new_thresholds_rebuild_the_campaign_and_keep_privileged_groups() {
        let (table, prepared, params) = small();
        let mut t = train(
            &table,
            &prepared,
            &audit(),
            &params,
            &mut |_, _| {},
            &|| false,
            None,
        )
        .unwrap();
        let name = t.audit_names[0].clone();
        let group = t.attributes[0].labels[0].clone();
        t.set_privileged(&name, Some(group.clone())).unwrap();
        let mut cp = CampaignParams::default();
        // A persuadable line above every τ̂ leaves no Persuadables.
        cp.archetypes.persuadable_min = Some(1.0);
        t.set_campaign(cp).unwrap();
        let persuadables = t
            .campaign
            .archetypes
            .summary
            .iter()
            .find(|s| s.archetype.code() == "persuadable");
        assert_eq!(persuadables.map_or(0, |s| s.count), 0);
        // The histogram follows: its Persuadable column (index 0) is empty too.
        assert_eq!(t.histogram.counts.iter().map(|c| c[0]).sum::<usize>(), 0);
        assert_eq!(t.histogram.users, 20_000);
        assert_eq!(t.campaign.privileged(0), Some(group.as_str()));
        let err = t.set_privileged("no such column", None).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Setting “audited attribute” is “no such column”, but it must be one of the attributes chosen for the audit."
        );
        assert_eq!(
            Error::NotTrained.to_string(),
            "Train a model first: click “Train” in the Train panel."
        );
    }

    #[test]
    fn brought_scores_give_the_same_campaign_as_the_fit_that_wrote_them() {
        let (table, prepared, params) = small();
        let t = train(
            &table,
            &prepared,
            &audit(),
            &params,
            &mut |_, _| {},
            &|| false,
            None,
        )
        .unwrap();
        // SCORES.csv as `uplift fit` and the page's export write it, read back: same uplift ⇒ same Qini,
        // same archetype counts and the same KPIs at a budget; nothing is fitted (no run, learner "yours").
        let csv = t.scores_csv(&prepared).unwrap();
        let scores = ScoreColumns::read_csv(csv.as_bytes()).unwrap();
        let b = from_scores(&table, &prepared, &audit(), &scores, &params).unwrap();
        assert!(b.run.is_none());
        let s = b.summary();
        assert_eq!(s.learner_used, "yours");
        assert!(s.own_scores);
        assert_eq!(s.rows, 20_000);
        assert_eq!(b.metrics.qini, t.metrics.qini);
        assert_eq!(b.response_metrics, t.response_metrics);
        assert_eq!(b.calibration, t.calibration);
        let counts = |x: &Trained| {
            x.campaign
                .archetypes
                .summary
                .iter()
                .map(|a| a.count)
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(&b), counts(&t));
        let kpis = |x: &Trained| {
            serde_json::to_value(x.view(Budget::Share(0.3)).unwrap().simulation).unwrap()
        };
        assert_eq!(kpis(&b), kpis(&t));
        // Only an uplift column: no response score, no calibration — the rest still works.
        let only: Vec<String> = std::iter::once("uplift".to_string())
            .chain(scores.uplift.iter().map(|u| format!("{u}")))
            .collect();
        let scores = ScoreColumns::read_csv(only.join("\n").as_bytes()).unwrap();
        let b = from_scores(&table, &prepared, &audit(), &scores, &params).unwrap();
        assert!(b.response_metrics.is_none() && b.calibration.is_none());
        assert_eq!(b.metrics.qini, t.metrics.qini);
        assert!(b.model_card(&prepared, Budget::Share(0.3)).unwrap()["propensity"].is_null());
    }
}
