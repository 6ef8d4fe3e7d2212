// The wasm package in pkg/ used from JavaScript directly (here under node; in a browser the same calls work,
// with `await init()` or `initSync({ module })`): generate → load → roles → fit → simulate → audit, then the
// same decisions on scores brought from elsewhere. Build pkg/ first: bash scripts/build.sh.
// Run: node examples/js-api.mjs [rows]   (prints one JSON line per step; the last one is the outcome)
import fs from 'node:fs';
import { demoCsv, initSync, Session, version } from '../pkg/uplift_simulator.js';

// 1. Initialise the engine synchronously from the .wasm bytes (a `--target web` package).
initSync({ module: fs.readFileSync(new URL('../pkg/uplift_simulator_bg.wasm', import.meta.url)) });
const print = (step, value) => console.log(JSON.stringify({ step, ...value }));
print('version', { version: version() });

// 2. generate: the demo data as CSV text (same rows and seed ⇒ same bytes; the seed is a BigInt).
const rows = Number(process.argv[2] || 20_000);
const csv = demoCsv(rows, 42n);

// 3. load: parse the bytes; the summary proposes roles (treatment, outcome, revenue, id, audit columns).
const session = new Session();
const summary = session.loadCsv(new TextEncoder().encode(csv));
const report = session.setRoles(summary.roles);
print('load', { rows: summary.rows, roles: summary.roles, kept: report.rowsKept });

// 4. fit: any subset of TrainParams (defaults otherwise); progress(stage, fraction) as it goes.
const stages = new Set();
const trained = session.train(
  { run: { uplift: { learner: 't', folds: 3 }, base: { gbdt: { trees: 20, maxDepth: 4 } } } },
  (stage) => stages.add(stage),
);
print('fit', { learner: trained.learnerUsed, qini: trained.metrics.qini.estimate, stages: [...stages].length,
  archetypes: Object.fromEntries(trained.archetypes.map((a) => [a.archetype, a.count])) });

// 5. simulate: KPIs of every policy at a budget ({kind: 'share' | 'money' | 'upliftThreshold', value}).
const view = session.simulate({ kind: 'share', value: 0.3 });
const uplift = view.simulation.policies.find((p) => p.policy === 'uplift');
print('simulate', { targeted: view.simulation.targeted, spend: uplift.spend,
  incrementalConversions: uplift.incrementalConversions.estimate, headline: view.simulation.headline });

// 6. audit: the fairness audit of the targeted users, as JSON text (also in `view.audits`).
const audit = JSON.parse(session.auditJson({ kind: 'share', value: 0.3 }));
print('audit', { attributes: audit.attributes, rows: audit.audits.map((a) => a.rows.length) });

// 7. bring your own scores: a file with an uplift column (here: the scores just exported, joined to the data).
const scores = session.scoresCsv().trim().split('\n').map((line) => line.split(','));
const col = scores[0].indexOf('uplift');
const joined = csv.trim().split('\n').map((line, i) => `${line},${scores[i][col]}`).join('\n');
const byo = new Session();
byo.setRoles(byo.loadCsv(new TextEncoder().encode(joined)).roles);
const own = byo.useScores({});
const ownView = byo.simulate({ kind: 'share', value: 0.3 });
print('own scores', { hasScores: byo.hasScores(), learner: own.learnerUsed, qini: own.metrics.qini.estimate,
  spend: ownView.simulation.policies.find((p) => p.policy === 'uplift').spend });

// draw*: drawQini(canvas, summary.metrics, summary.responseMetrics, summary.band) and friends take an
// HTMLCanvasElement, so they run in a browser only (see docs/embedding.md).
session.free();
byo.free();
