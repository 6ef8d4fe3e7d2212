//! The JavaScript facade: the only module that names wasm_bindgen, js_sys, web_sys or plotters_canvas.
//!
//! Thin by rule: each method converts arguments, calls the core, converts the answer (≤ ~10 lines).
//! The page's worker owns one [`Session`] (the data and, later, the models); the main thread only calls
//! the `draw*` functions with a canvas and the plain data the worker sent it.

mod canvas;

use canvas::MeasuredCanvas;
use plotters::prelude::IntoDrawingArea;
use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;
use web_sys::HtmlCanvasElement;

use crate::charts::arms::draw_arm_rates;
use crate::charts::budget::{
    draw_budget_curve, draw_budget_layer, draw_budget_marker, BudgetFrame, BudgetKpi,
};
use crate::charts::calibration::draw_calibration;
use crate::charts::deciles::draw_deciles;
use crate::charts::histogram::{draw_uplift_histogram, UpliftHistogram};
use crate::charts::qini::draw_qini;
use crate::data::generate::{demo_csv, DemoParams};
use crate::data::prepare::{prepare, ArmRate, Prepared, MAX_FEATURES};
use crate::data::roles::Roles;
use crate::data::table::Table;
use crate::decide::review::ReviewQuery;
use crate::decide::simulator::Budget;
use crate::decide::simulator::BudgetCurve;
use crate::error::{Error, Result};
use crate::metrics::band::QiniBand;
use crate::metrics::calibration::CalibrationReport;
use crate::metrics::deciles::UpliftBin;
use crate::metrics::report::UpliftMetrics;
use crate::pipeline::campaign::CampaignParams;
use crate::pipeline::scores::{ScoreColumns, SCORE_COLUMN_NAMES};
use crate::pipeline::trained::{from_scores, throttled, train, TrainParams, Trained};

/// Runs once per instance (main thread and worker; called by `initSync`/`init`, never by hand): panics print
/// their message to the console.
#[wasm_bindgen(start)]
pub fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version, shown in the page footer and written into exports.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// The demo data set as CSV text (what "Download demo CSV" saves): same rows and seed ⇒ same bytes.
#[wasm_bindgen(js_name = demoCsv)]
pub fn demo_csv_js(rows: usize, seed: u64) -> std::result::Result<String, JsError> {
    Ok(demo_csv(&DemoParams { rows, seed })?)
}

/// Before a file is read: its memory estimate from the size alone, or the `TooBigForTab` message when it
/// would not fit in `limit_bytes` (default: what a browser tab can use). Sizes are JS numbers (bytes).
#[wasm_bindgen(js_name = checkFileSize)]
pub fn check_file_size_js(
    file_bytes: f64,
    limit_bytes: Option<f64>,
) -> std::result::Result<JsValue, JsError> {
    let estimate = crate::data::memory::estimate(file_bytes.max(0.0) as u64, None);
    let limit = limit_bytes.map_or(crate::data::memory::BROWSER_TAB_LIMIT, |l| {
        l.max(0.0) as u64
    });
    estimate.check(limit)?;
    to_js(&estimate)
}

/// Test hook for the worker-failure test (reachable only through the worker's `debugPanic` request, which
/// the page itself never sends): `"alloc"` reserves 256 MiB blocks until the 4 GiB of wasm32 run out (a real
/// allocation failure, which aborts), anything else panics.
#[wasm_bindgen(js_name = debugPanic)]
pub fn debug_panic_js(kind: &str) {
    if kind == "alloc" {
        let mut kept: Vec<Vec<u8>> = Vec::new();
        loop {
            kept.push(Vec::with_capacity(256 << 20));
            std::hint::black_box(&kept);
        }
    }
    panic!("debugPanic: a test-only panic ({kind})");
}

/// Draw the conversion rate per arm (the `armRates()` answer of a session) on a canvas.
#[wasm_bindgen(js_name = drawArmRates)]
pub fn draw_arm_rates_js(
    canvas: HtmlCanvasElement,
    arms: JsValue,
) -> std::result::Result<(), JsError> {
    let arms: Vec<ArmRate> = from_js(arms)?;
    on_canvas(canvas, |root| draw_arm_rates(root, &arms))
}

/// Draw the Qini curve of τ̂ (`metrics`) with its band, and the response score's curve for comparison.
#[wasm_bindgen(js_name = drawQini)]
pub fn draw_qini_js(
    canvas: HtmlCanvasElement,
    metrics: JsValue,
    response: JsValue,
    band: JsValue,
) -> std::result::Result<(), JsError> {
    let metrics: UpliftMetrics = from_js(metrics)?;
    let response: Option<UpliftMetrics> = from_js(response)?;
    let band: Option<QiniBand> = from_js(band)?;
    on_canvas(canvas, |root| {
        draw_qini(root, &metrics, response.as_ref(), band.as_ref())
    })
}

/// Draw uplift by decile, predicted vs observed (the `bins` of a metrics answer).
#[wasm_bindgen(js_name = drawDeciles)]
pub fn draw_deciles_js(
    canvas: HtmlCanvasElement,
    bins: JsValue,
) -> std::result::Result<(), JsError> {
    let bins: Vec<UpliftBin> = from_js(bins)?;
    on_canvas(canvas, |root| draw_deciles(root, &bins))
}

/// Draw the τ̂ histogram coloured by archetype (the `histogram` of a training summary).
#[wasm_bindgen(js_name = drawUpliftHistogram)]
pub fn draw_histogram_js(
    canvas: HtmlCanvasElement,
    histogram: JsValue,
) -> std::result::Result<(), JsError> {
    let histogram: UpliftHistogram = from_js(histogram)?;
    on_canvas(canvas, |root| draw_uplift_histogram(root, &histogram))
}

/// Draw a KPI ("incrementalConversions", "incrementalRoas", "profit", "spend") over the budget range, with a
/// line at the current share (0–1).
#[wasm_bindgen(js_name = drawBudgetCurve)]
pub fn draw_budget_curve_js(
    canvas: HtmlCanvasElement,
    curve: JsValue,
    kpi: JsValue,
    current_share: Option<f64>,
) -> std::result::Result<(), JsError> {
    let (curve, kpi): (BudgetCurve, BudgetKpi) = (from_js(curve)?, from_js(kpi)?);
    on_canvas(canvas, |root| {
        draw_budget_curve(root, &curve, kpi, current_share)
    })
}

/// Draw the budget chart without the current-share marker (for a layer the page draws once per curve and copies
/// on every slider move); returns where its plot area lies (a `BudgetFrame` for `drawBudgetMarker`), or `null`
/// when there was nothing to plot and the chart shows a "no data" message.
#[wasm_bindgen(js_name = drawBudgetLayer)]
pub fn draw_budget_layer_js(
    canvas: HtmlCanvasElement,
    curve: JsValue,
    kpi: JsValue,
) -> std::result::Result<JsValue, JsError> {
    let (curve, kpi): (BudgetCurve, BudgetKpi) = (from_js(curve)?, from_js(kpi)?);
    let frame = on_canvas(canvas, |root| draw_budget_layer(root, &curve, kpi))?;
    to_js(&frame)
}

/// Draw the current-share marker (share 0–1) over a copy of a `drawBudgetLayer` chart of the same size (`frame`
/// is what that call returned). Measures no text: cheap enough for every slider move.
#[wasm_bindgen(js_name = drawBudgetMarker)]
pub fn draw_budget_marker_js(
    canvas: HtmlCanvasElement,
    frame: JsValue,
    share: f64,
) -> std::result::Result<(), JsError> {
    let frame: BudgetFrame = from_js(frame)?;
    on_canvas(canvas, |root| draw_budget_marker(root, &frame, share))
}

/// Draw predicted vs observed conversion per arm (the `calibration` of a training summary).
#[wasm_bindgen(js_name = drawCalibration)]
pub fn draw_calibration_js(
    canvas: HtmlCanvasElement,
    report: JsValue,
) -> std::result::Result<(), JsError> {
    let report: CalibrationReport = from_js(report)?;
    on_canvas(canvas, |root| draw_calibration(root, &report))
}

/// Run a chart on a canvas and show it; passes on what the chart returns.
fn on_canvas<T>(
    canvas: HtmlCanvasElement,
    draw: impl FnOnce(
        &plotters::drawing::DrawingArea<MeasuredCanvas, plotters::coord::Shift>,
    ) -> Result<T>,
) -> std::result::Result<T, JsError> {
    let backend = MeasuredCanvas::new(canvas)
        .ok_or_else(|| Error::Chart("the page has no 2D canvas".into()))?;
    let root = backend.into_drawing_area();
    let out = draw(&root)?;
    root.present().map_err(crate::charts::chart_err)?;
    Ok(out)
}

/// TypeScript types of the plain objects the facade takes and returns (written into pkg/uplift_simulator.d.ts).
/// Requests are checked on arrival (unknown fields are refused); answers list their main fields, the rest is
/// documented on the Rust types of the same name.
#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &str = r#"
/** How much to spend: a share of users (0–1), money, or every user whose predicted uplift reaches a threshold. */
export type Budget = { kind: "share"; value: number } | { kind: "money"; value: number } | { kind: "upliftThreshold"; value: number };
/** Column roles; missing fields take their defaults (the summary of `loadCsv` proposes them). */
export interface Roles {
  treatment?: string; treatmentValues?: string[]; controlValue?: string | null; outcome?: string;
  revenue?: string | null; id?: string | null; features?: string[]; exclude?: string[]; audit?: string[];
}
/** Costs, values, archetype thresholds, review and audit settings; every field optional. */
export interface CampaignParams {
  simulator?: { costPerContact?: number; cpm?: number | null; valuePerConversion?: number | null; confidence?: number; seed?: number };
  archetypes?: { persuadableMin?: number | null; doNotDisturbMin?: number | null; [key: string]: unknown };
  review?: Record<string, unknown>; audit?: Record<string, unknown>; fairTargeting?: Record<string, unknown>;
}
/** Everything `train` accepts; `{}` = the defaults (auto learner, 5 folds, 100 trees of depth 6, seed 42). */
export interface TrainParams {
  run?: {
    uplift?: { learner?: "auto" | "s" | "t" | "x" | "dr" | "blend"; folds?: number; propensityClip?: number; ipw?: boolean; imbalanceWeighting?: boolean; seed?: number; [key: string]: unknown };
    base?: { gbdt?: { trees?: number; maxDepth?: number; learningRate?: number; [key: string]: unknown }; [key: string]: unknown };
    bins?: Record<string, unknown>;
  };
  campaign?: CampaignParams;
  /** Columns to audit for fairness (default: the roles' audit columns). */
  audit?: string[] | null;
  metrics?: Record<string, unknown>; rules?: Record<string, unknown>; band?: Record<string, unknown>; histogramBins?: number;
}
/** A number with its interval. */
export interface Estimate { estimate: number; low: number; high: number }
/** What `train` and `useScores` return (never per-user vectors). */
export interface TrainSummary {
  rows: number;
  /** "S", "T", "X", "DR", "blend", or "yours" for brought scores. */
  learnerUsed: string;
  baseLearner: string;
  /** True when the scores came with the data (`useScores`): nothing was trained. */
  ownScores: boolean;
  metrics: { qini: Estimate | null; auuc: Estimate | null; bins: unknown[]; [key: string]: unknown };
  responseMetrics: TrainSummary["metrics"] | null;
  archetypes: { archetype: "persuadable" | "sure_thing" | "lost_cause" | "do_not_disturb"; label: string; count: number; share: number; meanUplift: number | null }[];
  review: { users: number; flagged: number; flaggedShare: number; byReason: [string, number][] };
  warnings: string[];
  [key: string]: unknown;
}
/** One policy's KPIs at a budget. */
export interface PolicyKpis {
  policy: "uplift" | "conversionRate" | "everyone" | "random"; label: string; spend: number;
  incrementalConversions: Estimate | null; incrementalRoas: Estimate | null; costPerIncrementalConversion: number | null; profit: number | null;
  [key: string]: unknown;
}
/** What `simulate` returns. */
export interface CampaignView {
  simulation: { targeted: number; share: number; costPerContact: number; valuePerConversion: number | null; headline: string; policies: PolicyKpis[]; [key: string]: unknown };
  audits: { attribute: string; referenceGroup: string | null; rows: unknown[]; [key: string]: unknown }[];
  fairTargeting: { summary: string; [key: string]: unknown }[];
}
"#;

/// One user's work: the loaded table, the chosen roles, the prepared data and the trained model.
#[wasm_bindgen]
#[derive(Default)]
pub struct Session {
    table: Option<Table>,
    roles: Roles,
    prepared: Option<Prepared>,
    trained: Option<Trained>,
    /// The last load's parts: generating the demo, reading the table, then its summary (with the roles proposed
    /// and the answer built for the page), in ms.
    load_ms: LoadTimings,
}

/// Where a `loadCsv` or `loadDemo` call's time went (wall clock, ms): the worker adds the parts outside wasm
/// (reading the file, copying its bytes into wasm memory) around it.
#[derive(Debug, Clone, Copy, Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct LoadTimings {
    /// Generating the demo data (`loadDemo` only).
    generate_ms: f64,
    /// `Table::from_bytes`.
    read_ms: f64,
    /// `Table::summary` and the answer built for the page.
    summary_ms: f64,
}

#[wasm_bindgen]
impl Session {
    /// An empty session: call `loadCsv` (or `loadDemo`), then `setRoles`, then `train` or `useScores`.
    /// Free it with `free()` when done (its data lives in wasm memory).
    #[wasm_bindgen(constructor)]
    pub fn new() -> Session {
        Session::default()
    }

    /// Parse a CSV file's bytes; returns the summary (rows, columns, proposed roles).
    #[wasm_bindgen(js_name = loadCsv)]
    pub fn load_csv(&mut self, bytes: &[u8]) -> std::result::Result<JsValue, JsError> {
        self.load_bytes(bytes)
    }

    /// The parts of the last `loadCsv` or `loadDemo` (`{ generateMs, readMs, summaryMs }`, wall clock; `generateMs`
    /// is 0 after `loadCsv`): for the page's load timings.
    #[wasm_bindgen(js_name = loadTimings)]
    pub fn load_timings(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.load_ms)
    }

    /// Generate the demo data in place (no download) and load it; returns the summary.
    #[wasm_bindgen(js_name = loadDemo)]
    pub fn load_demo(&mut self, rows: usize, seed: u64) -> std::result::Result<JsValue, JsError> {
        let t0 = js_sys::Date::now();
        let csv = demo_csv(&DemoParams { rows, seed })?;
        let t1 = js_sys::Date::now();
        let summary = self.load_bytes(csv.as_bytes())?;
        self.load_ms.generate_ms = t1 - t0;
        Ok(summary)
    }

    /// The summary of the loaded table.
    pub fn summary(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.table()?.summary())
    }

    /// Choose column roles (a `Roles` object; missing fields take their defaults); returns the validation report.
    #[wasm_bindgen(js_name = setRoles)]
    pub fn set_roles(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Roles")] roles: JsValue,
    ) -> std::result::Result<JsValue, JsError> {
        let roles: Roles = from_js(roles)?;
        self.prepared = None;
        self.trained = None;
        let prepared = prepare(self.table()?, &without_scores(self.table()?, &roles))?;
        self.roles = roles;
        self.prepared = Some(prepared);
        self.report()
    }

    /// The roles in use.
    pub fn roles(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.roles)
    }

    /// The validation report of the current roles.
    pub fn report(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.prepared()?.report)
    }

    /// Conversion rate per arm with 95 % intervals (input of `drawArmRates`).
    #[wasm_bindgen(js_name = armRates)]
    pub fn arm_rates(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.prepared()?.arm_rates())
    }

    /// Fit, measure and build the campaign (a `TrainParams` object; `{}` = defaults); `progress(stage, fraction)`
    /// is called as it goes. Keeps the model; returns the compact summary (never per-user vectors).
    #[wasm_bindgen(unchecked_return_type = "TrainSummary")]
    pub fn train(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TrainParams")] params: JsValue,
        #[wasm_bindgen(unchecked_param_type = "(stage: string, fraction: number) => void")]
        progress: &js_sys::Function,
    ) -> std::result::Result<JsValue, JsError> {
        let params: TrainParams = from_js(params)?;
        self.trained = None;
        let report =
            |stage: &str, f: f64| drop(progress.call2(&JsValue::NULL, &stage.into(), &f.into()));
        let mut progress = throttled(0.01, report);
        let (table, prepared) = (self.table()?, self.prepared()?);
        let now = || js_sys::Date::now();
        let t = train(
            table,
            prepared,
            &self.roles.audit,
            &params,
            &mut progress,
            &|| false,
            Some(&now),
        )?;
        self.trained = Some(t);
        self.train_summary()
    }

    /// Skip training: use the scores that came with the loaded file (an `uplift` column; optionally `p_control`,
    /// `p_treated`, `uplift_se`, `response_score`, `row`) with the chosen roles. `params` as for `train` (its
    /// `run` part is unused). Keeps them like a model; returns the same summary as `train`, with `ownScores: true`.
    #[wasm_bindgen(js_name = useScores, unchecked_return_type = "TrainSummary")]
    pub fn use_scores(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TrainParams")] params: JsValue,
    ) -> std::result::Result<JsValue, JsError> {
        let params: TrainParams = from_js(params)?;
        self.trained = None;
        let (table, prepared) = (self.table()?, self.prepared()?);
        let scores = ScoreColumns::from_table(table)?;
        let t = from_scores(table, prepared, &self.roles.audit, &scores, &params)?;
        self.trained = Some(t);
        self.train_summary()
    }

    /// Whether the loaded file carries an `uplift` column (the page then offers "Use these scores").
    #[wasm_bindgen(js_name = hasScores)]
    pub fn has_scores(&self) -> bool {
        self.table.as_ref().is_some_and(has_uplift)
    }

    /// The summary of the last training (see `train`).
    #[wasm_bindgen(js_name = trainSummary, unchecked_return_type = "TrainSummary")]
    pub fn train_summary(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.trained()?.summary())
    }

    /// KPIs of every policy, the fairness audit and the fairness-aware option at a budget
    /// (`{kind: "share"|"money"|"upliftThreshold", value}`).
    #[wasm_bindgen(unchecked_return_type = "CampaignView")]
    pub fn simulate(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Budget")] budget: JsValue,
    ) -> std::result::Result<JsValue, JsError> {
        let budget: Budget = from_js(budget)?;
        to_js(&self.trained()?.view(budget)?)
    }

    /// Every policy's KPIs over the whole budget range (for the budget chart).
    #[wasm_bindgen(js_name = budgetCurve)]
    pub fn budget_curve(&self) -> std::result::Result<JsValue, JsError> {
        to_js(self.trained()?.curve())
    }

    /// The segment rules that explain the archetypes.
    #[wasm_bindgen(js_name = segmentRules)]
    pub fn segment_rules(&self) -> std::result::Result<JsValue, JsError> {
        to_js(&self.trained()?.rules)
    }

    /// One page of the review queue (a `ReviewQuery`: sort, descending, flaggedOnly, reason, offset, limit).
    #[wasm_bindgen(js_name = reviewPage)]
    pub fn review_page(&self, query: JsValue) -> std::result::Result<JsValue, JsError> {
        let query: ReviewQuery = from_js(query)?;
        to_js(&self.trained()?.review_page(&query)?)
    }

    /// New costs, values or archetype thresholds (a `CampaignParams`); returns the new training summary.
    #[wasm_bindgen(js_name = setCampaignParams, unchecked_return_type = "TrainSummary")]
    pub fn set_campaign_params(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "CampaignParams")] params: JsValue,
    ) -> std::result::Result<JsValue, JsError> {
        let params: CampaignParams = from_js(params)?;
        let trained = self.trained.as_mut().ok_or(Error::NotTrained)?;
        trained.set_campaign(params)?;
        self.train_summary()
    }

    /// Name the privileged group of an audited attribute (`null`: compare the lowest with the highest rate).
    #[wasm_bindgen(js_name = setPrivileged)]
    pub fn set_privileged(
        &mut self,
        column: &str,
        group: Option<String>,
    ) -> std::result::Result<(), JsError> {
        let trained = self.trained.as_mut().ok_or(Error::NotTrained)?;
        Ok(trained.set_privileged(column, group)?)
    }

    /// SCORES.csv: one line per kept row (row, uplift, uplift_se, p_control, p_treated, response_score, id, archetype, review).
    #[wasm_bindgen(js_name = scoresCsv)]
    pub fn scores_csv(&self) -> std::result::Result<String, JsError> {
        Ok(self.trained()?.scores_csv(self.prepared()?)?)
    }

    /// The review queue as CSV (every user, or only the flagged ones).
    #[wasm_bindgen(js_name = reviewCsv)]
    pub fn review_csv(&self, flagged_only: bool) -> std::result::Result<String, JsError> {
        Ok(self.trained()?.review_csv(self.prepared()?, flagged_only)?)
    }

    /// `model_card.json` (as text) with the audit at this budget.
    #[wasm_bindgen(js_name = modelCard)]
    pub fn model_card(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Budget")] budget: JsValue,
    ) -> std::result::Result<String, JsError> {
        let budget: Budget = from_js(budget)?;
        let card = self.trained()?.model_card(self.prepared()?, budget)?;
        Ok(serde_json::to_string_pretty(&card).unwrap_or_default())
    }

    /// The fairness audit at this budget as JSON text.
    #[wasm_bindgen(js_name = auditJson)]
    pub fn audit_json(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Budget")] budget: JsValue,
    ) -> std::result::Result<String, JsError> {
        let budget: Budget = from_js(budget)?;
        let audit = self.trained()?.audit_json(budget)?;
        Ok(serde_json::to_string_pretty(&audit).unwrap_or_default())
    }
}

impl Session {
    /// Parse, summarize and keep a CSV file's bytes, timing both parts.
    fn load_bytes(&mut self, bytes: &[u8]) -> std::result::Result<JsValue, JsError> {
        let t0 = js_sys::Date::now();
        let table = Table::from_bytes(bytes)?;
        let t1 = js_sys::Date::now();
        let summary = self.install(table)?;
        self.load_ms = LoadTimings {
            generate_ms: 0.0,
            read_ms: t1 - t0,
            summary_ms: js_sys::Date::now() - t1,
        };
        Ok(summary)
    }

    /// Keep a parsed table (the earlier one is dropped) unless it is refused: see [`refuse_too_wide`].
    fn install(&mut self, table: Table) -> std::result::Result<JsValue, JsError> {
        let summary = table.summary();
        refuse_too_wide(&table, &summary.roles)?;
        self.roles = summary.roles.clone();
        self.prepared = None;
        self.trained = None;
        self.table = Some(table);
        to_js(&summary)
    }

    fn table(&self) -> Result<&Table> {
        self.table.as_ref().ok_or(Error::NoData)
    }

    fn prepared(&self) -> Result<&Prepared> {
        self.prepared.as_ref().ok_or(Error::NoRolesYet)
    }

    fn trained(&self) -> Result<&Trained> {
        self.trained.as_ref().ok_or(Error::NotTrained)
    }
}

/// The roles with the score columns of a "bring your own scores" file (see `SCORE_COLUMN_NAMES`) excluded from
/// the features, when the table has an `uplift` column: segment rules explain the users, not the scores.
fn without_scores(table: &Table, roles: &Roles) -> Roles {
    let mut roles = roles.clone();
    if has_uplift(table) {
        let present = table.columns.iter().filter(|c| {
            SCORE_COLUMN_NAMES
                .iter()
                .any(|n| c.name.eq_ignore_ascii_case(n))
        });
        roles.exclude.extend(present.map(|c| c.name.clone()));
    }
    roles
}

/// A file with more columns to learn from than the simulator handles (`TooManyFeatures`, checked with the proposed
/// roles) is refused when it is loaded, like a file that cannot be read: the earlier file stays loaded, and the page
/// never lists thousands of columns in pickers the user could not use anyway (no role choice removes features).
/// Only a table wider than the limit can exceed it, so other files skip the check.
fn refuse_too_wide(table: &Table, roles: &Roles) -> Result<()> {
    if table.columns.len() <= MAX_FEATURES {
        return Ok(());
    }
    match prepare(table, &without_scores(table, roles)) {
        Err(e @ Error::TooManyFeatures { .. }) => Err(e),
        _ => Ok(()),
    }
}

fn has_uplift(table: &Table) -> bool {
    table
        .columns
        .iter()
        .any(|c| c.name.eq_ignore_ascii_case("uplift"))
}

/// Rust → JS as plain objects and arrays (never `Map`), `None` as `null`.
fn to_js<T: Serialize>(value: &T) -> std::result::Result<JsValue, JsError> {
    let ser = serde_wasm_bindgen::Serializer::json_compatible();
    value
        .serialize(&ser)
        .map_err(|e| JsError::new(&format!("Internal error while answering the page: {e}")))
}

/// JS → Rust through JSON (so `deny_unknown_fields` holds); a wrong shape is a plain-words error.
fn from_js<T: DeserializeOwned>(value: JsValue) -> Result<T> {
    let bad = |detail: String| Error::BadRequest { detail };
    let text = js_sys::JSON::stringify(&value)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| bad("the request is not plain data".into()))?;
    serde_json::from_str(&text).map_err(|e| bad(e.to_string()))
}
