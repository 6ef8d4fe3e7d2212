//! The native command line over the same core as the page: `uplift generate | fit | evaluate | simulate`.
//!
//! Parsing and printing only; every number comes from the library (`pipeline`, `metrics`, `decide`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use serde_json::{json, Value};
use uplift_simulator::data::generate::{write_demo, DemoParams};
use uplift_simulator::data::prepare::{prepare, prepare_taking_features, Prepared};
use uplift_simulator::data::roles::detect_roles;
use uplift_simulator::data::table::Table;
use uplift_simulator::decide::archetype::{accuracy, Archetype};
use uplift_simulator::decide::simulator::Budget;
use uplift_simulator::metrics::capture::{capture_at, spearman};
use uplift_simulator::metrics::report::{uplift_metrics, MetricsParams, UpliftMetrics};
use uplift_simulator::pipeline::campaign::{
    attribute_column, scored_from, Campaign, CampaignParams,
};
use uplift_simulator::pipeline::run::{return_large_blocks_to_the_system, score_taking_features};
use uplift_simulator::pipeline::scores::{ScoreColumns, ScoreRows, TextColumn};
use uplift_simulator::pipeline::{score, BaseKind, RunParams};
use uplift_simulator::uplift::{MetaLearner, UpliftFit};
use uplift_simulator::{Error, Result};

const USAGE: &str = "\
uplift — causal-ML campaign simulator (native command line)

USAGE:
  uplift generate --rows N --seed S --out DATA.csv [--truth TRUTH.csv]
  uplift fit DATA.csv --treatment COL [--treatment-value V]... [--control-value V] --outcome COL
             [--revenue COL] [--id COL] [--learner auto|s|t|x|dr|blend] [--base gbdt|logistic] [--folds K]
             [--trees N] [--depth D] [--learning-rate R] [--seed N] [--clip E] [--no-ipw]
             [--imbalance-weighting] [--cost C] [--value V] [--persuadable-min T] [--dnd-min T]
             --out SCORES.csv [--report REPORT.json] [--quiet]
  uplift evaluate SCORES.csv --truth TRUTH.csv [--share S]
  uplift evaluate --generate N [--seeds 1,2,3] [--learners s,t,x,dr,blend,auto] [--share S] [--base gbdt|logistic]
  uplift simulate DATA.csv --scores SCORES.csv --treatment COL [--treatment-value V]... [--control-value V]
             --outcome COL [--revenue COL] --cost C (--value V | --revenue COL) (--share S | --budget B)
             [--audit COL]... [--privileged COL=VALUE]...

Defaults: learner auto (picks S, T, X or DR by held-out doubly robust loss), 5 folds, 100 trees of depth 6,
seed 42, propensity clipped to [0.01, 0.99], inverse-propensity weights on, imbalance weighting off.
";

/// Options that take no value.
const FLAGS: &[&str] = &["--no-ipw", "--imbalance-weighting", "--quiet"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("uplift: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let Some((cmd, rest)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let opts = Opts::parse(rest)?;
    match cmd.as_str() {
        "generate" => generate(&opts),
        "fit" => fit(&opts),
        "evaluate" => evaluate(&opts),
        "simulate" => simulate(&opts),
        "-h" | "--help" | "help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(usage_error(format!("unknown command “{other}”"))),
    }
}

fn generate(o: &Opts) -> Result<()> {
    let params = DemoParams {
        rows: o.parsed("--rows")?.unwrap_or(200_000),
        seed: o.parsed("--seed")?.unwrap_or(42),
    };
    let out = o.required("--out")?;
    let mut data = BufWriter::new(create(out)?);
    let mut truth = o
        .get("--truth")
        .map(create)
        .transpose()?
        .map(BufWriter::new);
    write_demo(&params, &mut data, truth.as_mut())?;
    Ok(())
}

/// Read and prepare the data file named by the first positional argument, with the roles from the options
/// (detected by name when an option is absent). `taking`: the feature columns move out of the table into
/// `Prepared` (`prepare_taking_features`; the table keeps its other columns), for a caller that reads no
/// feature column of the table afterwards.
fn load(o: &Opts, taking: bool) -> Result<(Table, Prepared)> {
    let path = o.positional(0, "DATA.csv")?;
    let mut table = {
        // The file's bytes are freed as soon as they are parsed.
        let bytes = std::fs::read(path).map_err(|e| Error::Io {
            path: path.to_string(),
            detail: e.to_string(),
        })?;
        Table::from_bytes(&bytes)?
    };
    let mut roles = detect_roles(&table);
    if let Some(t) = o.get("--treatment") {
        roles.treatment = t.to_string();
    }
    roles.treatment_values = o.all("--treatment-value");
    roles.control_value = o.get("--control-value").map(str::to_string);
    if let Some(y) = o.get("--outcome") {
        roles.outcome = y.to_string();
    }
    if let Some(r) = o.get("--revenue") {
        roles.revenue = Some(r.to_string());
    }
    if let Some(id) = o.get("--id") {
        roles.id = Some(id.to_string());
    }
    roles.audit = o.all("--audit");
    let prepared = if taking {
        prepare_taking_features(&mut table, &roles)?
    } else {
        prepare(&table, &roles)?
    };
    Ok((table, prepared))
}

fn run_params(o: &Opts) -> Result<RunParams> {
    let mut p = RunParams::default();
    if let Some(l) = o.get("--learner") {
        p.uplift.learner = learner(l)?;
    }
    if let Some(b) = o.get("--base") {
        p.base.kind = match b {
            "gbdt" => BaseKind::Gbdt,
            "logistic" => BaseKind::Logistic,
            _ => {
                return Err(usage_error(format!(
                    "--base expects gbdt or logistic, got “{b}”"
                )))
            }
        };
    }
    if let Some(k) = o.parsed("--folds")? {
        p.uplift.folds = k;
    }
    if let Some(n) = o.parsed("--trees")? {
        p.base.gbdt.trees = n;
    }
    if let Some(d) = o.parsed("--depth")? {
        p.base.gbdt.max_depth = d;
    }
    if let Some(r) = o.parsed("--learning-rate")? {
        p.base.gbdt.learning_rate = r;
    }
    if let Some(s) = o.parsed("--seed")? {
        p.uplift.seed = s;
        p.base.gbdt.seed = s;
    }
    if let Some(c) = o.parsed("--clip")? {
        p.uplift.propensity_clip = c;
    }
    p.uplift.ipw = !o.flag("--no-ipw");
    p.uplift.imbalance_weighting = o.flag("--imbalance-weighting");
    Ok(p)
}

fn learner(s: &str) -> Result<MetaLearner> {
    Ok(match s.to_ascii_lowercase().as_str() {
        "auto" => MetaLearner::Auto,
        "s" => MetaLearner::S,
        "t" => MetaLearner::T,
        "x" => MetaLearner::X,
        "dr" => MetaLearner::Dr,
        "blend" => MetaLearner::Blend,
        _ => {
            return Err(usage_error(format!(
                "--learner expects auto, s, t, x, dr or blend, got “{s}”"
            )))
        }
    })
}

fn campaign_params(o: &Opts) -> Result<CampaignParams> {
    let mut c = CampaignParams::default();
    if let Some(cost) = o.parsed("--cost")? {
        c.simulator.cost_per_contact = cost;
    }
    c.simulator.value_per_conversion = match (o.parsed::<f64>("--value")?, o.get("--revenue")) {
        (Some(v), _) => Some(v),
        (None, Some(_)) => None,
        (None, None) => c.simulator.value_per_conversion,
    };
    if let Some(t) = o.parsed("--persuadable-min")? {
        c.archetypes.persuadable_min = Some(t);
    }
    if let Some(t) = o.parsed("--dnd-min")? {
        c.archetypes.do_not_disturb_min = t;
    }
    Ok(c)
}

fn progress_printer(quiet: bool) -> impl FnMut(&str, f64) {
    let mut last = String::new();
    move |stage: &str, fraction: f64| {
        if !quiet && stage != last {
            eprintln!("  {:>3.0}%  {stage}", fraction * 100.0);
            last = stage.to_string();
        }
    }
}

fn fit(o: &Opts) -> Result<()> {
    // Sized by the data file (0 when it cannot be read: the read below reports why).
    let input_bytes = o
        .positional(0, "DATA.csv")
        .ok()
        .and_then(|p| std::fs::metadata(p).ok())
        .map_or(0, |m| m.len());
    return_large_blocks_to_the_system(input_bytes);
    let out = o.required("--out")?;
    let params = run_params(o)?;
    let cparams = campaign_params(o)?;
    let clock = Instant::now();
    let now = || clock.elapsed().as_secs_f64() * 1000.0;
    // The audit columns the fit reads from the table below are not features (their role is "audit").
    let (table, mut prepared) = load(o, true)?;
    // The audit attributes are all the fit needs from the table: take them and free the table before fitting.
    let attributes = prepared
        .report
        .columns
        .iter()
        .filter(|c| c.role == "audit")
        .map(|c| attribute_column(&table, &c.name, &prepared.rows))
        .collect::<Result<Vec<_>>>()?;
    drop(table);
    let read_ms = now();
    let mut progress = progress_printer(o.flag("--quiet"));
    let run = score_taking_features(&mut prepared, &params, &mut progress, &|| false, Some(&now))?;
    // After the fit, natively two branches at once (each step's result does not depend on the other branch):
    // the campaign, then SCORES.csv (it needs the campaign's labels); and the two metrics reports.
    // REPORT.json records each step's own milliseconds (steps of the two branches overlap in time).
    let f = &run.fit;
    let timed = |stage: &str, t0: f64| json!({ "stage": stage, "ms": now() - t0 });
    let (written, measured) = both(
        || -> Result<(Campaign, Vec<Value>)> {
            let t0 = now();
            let scored = scored_from(
                &prepared,
                f.uplift.clone(),
                Some(f.uplift_se.clone()),
                Some(f.p_control.clone()),
                Some(f.p_treated.clone()),
                Some(f.response_score.clone()),
            );
            let campaign = Campaign::build(scored, attributes, cparams)?;
            let lap_campaign = timed("campaign", t0);
            let t0 = now();
            let mut w = BufWriter::new(create(out)?);
            write_scores(&mut w, out, &prepared, f, &campaign)?;
            w.flush().map_err(|e| io_err(out, e))?;
            Ok((campaign, vec![lap_campaign, timed("write scores", t0)]))
        },
        || -> Result<(UpliftMetrics, UpliftMetrics, Vec<Value>)> {
            let mparams = MetricsParams::default();
            let t0 = now();
            let metrics =
                uplift_metrics(&f.uplift, &prepared.treatment, &prepared.outcome, &mparams)?;
            let lap_metrics = timed("metrics", t0);
            let t0 = now();
            let response_metrics = uplift_metrics(
                &f.response_score,
                &prepared.treatment,
                &prepared.outcome,
                &mparams,
            )?;
            Ok((
                metrics,
                response_metrics,
                vec![lap_metrics, timed("response metrics", t0)],
            ))
        },
    );
    let (campaign, laps_written) = written?;
    let (metrics, response_metrics, laps_measured) = measured?;
    let after: Vec<Value> = laps_written.into_iter().chain(laps_measured).collect();
    let total_ms = now();
    if let Some(path) = o.get("--report") {
        let report = json!({
            "version": env!("CARGO_PKG_VERSION"),
            "settings": run.settings,
            "validation": prepared.report,
            "learner": {
                "used": f.learner_used,
                "base": run.base_learner,
                "auto": f.auto,
            },
            "propensity": f.propensity_report,
            "calibration": f.calibration,
            "metrics": { "uplift": metrics, "responseScore": response_metrics },
            "archetypes": { "thresholds": campaign.archetypes.thresholds, "summary": campaign.archetypes.summary },
            "review": campaign.review.summary,
            "warnings": f.warnings,
            "timings": { "readAndPrepareMs": read_ms, "stages": f.timings, "afterFit": after, "totalMs": total_ms },
        });
        write_json(path, &report)?;
    }
    if !o.flag("--quiet") {
        let q = metrics.qini.as_ref();
        eprintln!(
            "uplift: {} rows scored with the {} learner ({}) in {:.1} s; Qini coefficient {} → {}",
            prepared.n_rows(),
            f.learner_used.label(),
            run.base_learner,
            total_ms / 1000.0,
            q.map_or("undefined".to_string(), |i| format!(
                "{:.4} [{:.4}, {:.4}]",
                i.estimate, i.low, i.high
            )),
            out
        );
    }
    Ok(())
}

/// Write SCORES.csv from the fit's and the campaign's own columns, borrowed (no cell copied: the same bytes as
/// one `ScoreColumns::write_csv` of every row).
fn write_scores<W: Write>(
    w: &mut W,
    path: &str,
    prepared: &Prepared,
    f: &UpliftFit,
    campaign: &Campaign,
) -> Result<()> {
    let labels = &campaign.archetypes.labels;
    let review = &campaign.review;
    let rows = ScoreRows {
        row: &prepared.rows,
        uplift: &f.uplift,
        uplift_se: Some(&f.uplift_se),
        p_control: Some(&f.p_control),
        p_treated: Some(&f.p_treated),
        response_score: Some(&f.response_score),
        id: prepared
            .ids
            .as_ref()
            .map(|ids| Box::new(move |i: usize| ids.get(i)) as TextColumn<'_>),
        archetype: Some(Box::new(move |i: usize| labels[i].code())),
        review: Some(Box::new(move |i: usize| {
            review.reason(i).map_or("", |r| r.code())
        })),
    };
    rows.write_csv_part(w, true).map_err(|e| match e {
        Error::Io { detail, .. } => Error::Io {
            path: path.to_string(),
            detail,
        },
        e => e,
    })
}

/// Truth file written by `uplift generate --truth`: true uplift and archetype per data row.
struct Truth {
    uplift: Vec<f64>,
    archetype: Vec<Archetype>,
}

fn read_truth(path: &str) -> Result<Truth> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    let table = Table::from_bytes(&bytes)?;
    let num = |name: &str| -> Result<Vec<f64>> {
        table
            .column(name)?
            .numbers
            .clone()
            .ok_or_else(|| Error::BadValue {
                line: 2,
                column: name.to_string(),
                expected: "a number",
                found: "text".into(),
            })
    };
    let uplift = num("true_uplift")?;
    let arche = table.column("archetype")?;
    let archetype = (0..table.n_rows)
        .map(|i| {
            let t = arche.text(i).unwrap_or_default();
            Archetype::from_code(&t).ok_or_else(|| Error::BadValue {
                line: table.line(i),
                column: "archetype".into(),
                expected: "persuadable, sure_thing, lost_cause or do_not_disturb",
                found: t,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Truth { uplift, archetype })
}

fn evaluate(o: &Opts) -> Result<()> {
    let share: f64 = o.parsed("--share")?.unwrap_or(0.25);
    if o.get("--generate").is_some() {
        return evaluate_generated(o, share);
    }
    let scores_path = o.positional(0, "SCORES.csv")?;
    let truth = read_truth(o.required("--truth")?)?;
    let bytes = std::fs::read(scores_path).map_err(|e| io_err(scores_path, e))?;
    let scores = ScoreColumns::read_csv(&bytes)?;
    let true_tau: Vec<f64> = scores
        .row
        .iter()
        .map(|&r| {
            truth
                .uplift
                .get(r as usize)
                .copied()
                .ok_or(Error::ScoresRowMissing { row: r })
        })
        .collect::<Result<_>>()?;
    let mut out = json!({
        "rows": scores.uplift.len(),
        "share": share,
        "capture": { "uplift": capture_at(&scores.uplift, &true_tau, share)? },
        "spearmanWithTrueUplift": spearman(&scores.uplift, &true_tau).ok(),
        "meanUplift": mean(&scores.uplift),
        "meanTrueUplift": mean(&true_tau),
    });
    if let Some(r) = &scores.response_score {
        out["capture"]["responseScore"] = json!(capture_at(r, &true_tau, share)?);
    }
    // Archetype accuracy when the scores file carries the archetype column.
    let table = Table::from_bytes(&bytes)?;
    if let Ok(col) = table.column("archetype") {
        let predicted: Vec<Archetype> = (0..table.n_rows)
            .map(|i| {
                col.text(i)
                    .and_then(|t| Archetype::from_code(&t))
                    .unwrap_or(Archetype::LostCause)
            })
            .collect();
        let truth_a: Vec<Archetype> = scores
            .row
            .iter()
            .map(|&r| truth.archetype[r as usize])
            .collect();
        out["archetypeAccuracy"] = json!(accuracy(&predicted, &truth_a)?);
    }
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

/// Generate data with known effects in memory, fit each learner, and print the capture table.
fn evaluate_generated(o: &Opts, share: f64) -> Result<()> {
    let rows: usize = o.parsed("--generate")?.unwrap_or(200_000);
    let seeds: Vec<u64> = list(o.get("--seeds").unwrap_or("1,2,3"))?;
    let learners: Vec<MetaLearner> = o
        .get("--learners")
        .unwrap_or("s,t,x,dr,blend,auto")
        .split(',')
        .map(learner)
        .collect::<Result<_>>()?;
    let mut base = run_params(o)?;
    println!(
        "| rows | seed | learner | capture@{:.0}% | Spearman | fit s | chosen | calibration p̂0 / p̂1 |",
        share * 100.0
    );
    println!("|---:|---:|---|---:|---:|---:|---|---|");
    for &seed in &seeds {
        let mut data = Vec::new();
        let mut truth_csv = Vec::new();
        write_demo(&DemoParams { rows, seed }, &mut data, Some(&mut truth_csv))?;
        let table = Table::from_bytes(&data)?;
        drop(data);
        let prepared = prepare(&table, &detect_roles(&table))?;
        drop(table);
        let truth_table = Table::from_bytes(&truth_csv)?;
        let all_tau = truth_table
            .column("true_uplift")?
            .numbers
            .clone()
            .unwrap_or_default();
        let tau: Vec<f64> = prepared.rows.iter().map(|&r| all_tau[r as usize]).collect();
        let mut response_done = false;
        for &l in &learners {
            base.uplift.learner = l;
            base.uplift.seed = seed;
            let t0 = Instant::now();
            let run = score(&prepared, &base, &mut |_, _| {}, &|| false, None)?;
            let secs = t0.elapsed().as_secs_f64();
            let f = &run.fit;
            println!(
                "| {rows} | {seed} | {} | {:.4} | {:.3} | {secs:.1} | {} | {:+.1} % / {:+.1} % |",
                l.label(),
                capture_at(&f.uplift, &tau, share)?,
                spearman(&f.uplift, &tau).unwrap_or(f64::NAN),
                if l == MetaLearner::Auto {
                    f.learner_used.label()
                } else {
                    ""
                },
                f.calibration.control.relative_error * 100.0,
                f.calibration.treated.relative_error * 100.0,
            );
            if !response_done {
                println!(
                    "| {rows} | {seed} | response score | {:.4} | {:.3} | | |",
                    capture_at(&f.response_score, &tau, share)?,
                    spearman(&f.response_score, &tau).unwrap_or(f64::NAN),
                );
                response_done = true;
            }
            std::io::stdout().flush().ok();
        }
    }
    Ok(())
}

fn simulate(o: &Opts) -> Result<()> {
    let scores_path = o.required("--scores")?;
    let (table, prepared) = load(o, false)?;
    let bytes = std::fs::read(scores_path).map_err(|e| io_err(scores_path, e))?;
    let scores = ScoreColumns::read_csv(&bytes)?;
    let at = scores.align(&prepared.rows)?;
    let pick = |v: &Vec<f64>| at.iter().map(|&p| v[p]).collect::<Vec<f64>>();
    let scored = scored_from(
        &prepared,
        pick(&scores.uplift),
        scores.uplift_se.as_ref().map(pick),
        scores.p_control.as_ref().map(pick),
        scores.p_treated.as_ref().map(pick),
        scores.response_score.as_ref().map(pick),
    );
    let audit_names = o.all("--audit");
    let attributes = audit_names
        .iter()
        .map(|name| attribute_column(&table, name, &prepared.rows))
        .collect::<Result<Vec<_>>>()?;
    let mut campaign = Campaign::build(scored, attributes, campaign_params(o)?)?;
    for p in o.all("--privileged") {
        let Some((col, value)) = p.split_once('=') else {
            return Err(usage_error(format!(
                "--privileged expects COLUMN=VALUE, got “{p}”"
            )));
        };
        let Some(i) = audit_names.iter().position(|a| a == col) else {
            return Err(usage_error(format!(
                "--privileged names “{col}”, which is not an --audit column"
            )));
        };
        campaign.set_privileged(i, Some(value.to_string()))?;
    }
    let budget = match (o.parsed::<f64>("--share")?, o.parsed::<f64>("--budget")?) {
        (Some(s), None) => Budget::Share(s),
        (None, Some(b)) => Budget::Money(b),
        _ => {
            return Err(usage_error(
                "give exactly one of --share S or --budget B".into(),
            ))
        }
    };
    let view = campaign.view(budget)?;
    let out = json!({
        "rows": prepared.n_rows(),
        "simulation": view.simulation,
        "audits": view.audits,
        "fairTargeting": view.fair_targeting,
        "archetypes": { "thresholds": campaign.archetypes.thresholds, "summary": campaign.archetypes.summary },
        "review": campaign.review.summary,
    });
    println!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    Ok(())
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn list(s: &str) -> Result<Vec<u64>> {
    s.split(',')
        .map(|x| {
            x.trim().parse().map_err(|_| {
                usage_error(format!(
                    "expected a comma-separated list of numbers, got “{s}”"
                ))
            })
        })
        .collect()
}

fn write_json(path: &str, v: &Value) -> Result<()> {
    let mut w = BufWriter::new(create(path)?);
    serde_json::to_writer_pretty(&mut w, v).map_err(|e| Error::Io {
        path: path.to_string(),
        detail: e.to_string(),
    })?;
    w.flush().map_err(|e| io_err(path, e))
}

fn create(path: &str) -> Result<File> {
    File::create(path).map_err(|e| io_err(path, e))
}

fn io_err(path: &str, e: std::io::Error) -> Error {
    Error::Io {
        path: path.to_string(),
        detail: e.to_string(),
    }
}

fn usage_error(what: String) -> Error {
    Error::Usage {
        detail: format!("{what}\n\n{USAGE}"),
    }
}

/// `--name value` pairs (a name may repeat), value-less flags and bare positional arguments.
struct Opts {
    pairs: Vec<(String, String)>,
    flags: Vec<String>,
    positional: Vec<String>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Self> {
        let mut pairs = Vec::new();
        let mut flags = Vec::new();
        let mut positional = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if FLAGS.contains(&a.as_str()) {
                flags.push(a.clone());
            } else if let Some(stripped) = a.strip_prefix("--") {
                if let Some((k, v)) = stripped.split_once('=') {
                    pairs.push((format!("--{k}"), v.to_string()));
                } else {
                    let v = it
                        .next()
                        .ok_or_else(|| usage_error(format!("option {a} needs a value")))?;
                    pairs.push((a.clone(), v.clone()));
                }
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Self {
            pairs,
            flags,
            positional,
        })
    }
    fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
    }
    fn positional(&self, i: usize, what: &str) -> Result<&str> {
        self.positional
            .get(i)
            .map(String::as_str)
            .ok_or_else(|| usage_error(format!("missing {what}")))
    }
    fn required(&self, name: &str) -> Result<&str> {
        self.get(name)
            .ok_or_else(|| usage_error(format!("missing {name}")))
    }
    fn parsed<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>> {
        self.get(name)
            .map(|v| {
                v.parse()
                    .map_err(|_| usage_error(format!("{name} expects a number, got “{v}”")))
            })
            .transpose()
    }
}

/// Two closures at once natively (rayon::join); one after the other where there are no threads (the binary is
/// also compiled for wasm32 by `cargo test --target wasm32-unknown-unknown`).
fn both<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::join(a, b)
    }
    #[cfg(target_arch = "wasm32")]
    {
        (a(), b())
    }
}
