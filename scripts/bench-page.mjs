// The page's speed in headless Chromium (docs/BENCHMARKS.md, "Page"): demo data (200,000 rows) from the Train
// click to results, main-thread long tasks while training, slider move → KPIs updated, page weight (gzip).
//
//   bash scripts/build.sh && node scripts/bench-page.mjs            (DEMO_ROWS=… TREES=… to change;
//                                                                    LOAD_ONLY=1: the demo load only, no training;
//                                                                    CSV_FILE=path: that file's load only)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openPage, ROOT, start } from '../tests/e2e/harness.mjs';

const rows = Number(process.env.DEMO_ROWS || 200_000);
// SLIDER_CACHE=0: every move asks the worker (the page's ?sliderCache=0), instead of the answers it fetched ahead.
const cache = process.env.SLIDER_CACHE !== '0';
const env = await start();
try {
  const { page, context } = await openPage(env, { path: `?testHooks=1${rows === 200_000 ? '' : `&demoRows=${rows}`}${cache ? '' : '&sliderCache=0'}` });
  if (process.env.TREES) await page.fill('[data-testid="train-trees"]', process.env.TREES);
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => window.longTasks.push(...l.getEntries().map((e) => ({ start: e.startTime, ms: e.duration })))).observe({ type: 'longtask', buffered: false });
    window.benchT0 = performance.now();
  });
  const loadLine = await page.textContent('[data-testid="status"]');
  // The demo load's parts (ms): the main thread's round trip; in the worker (in wasm) generating, Table::from_bytes,
  // the summary (www/worker.js `lastLoad`).
  const loadParts = JSON.parse(await page.evaluate(() => document.body.dataset.loadParts || 'null'));
  if (process.env.CSV_FILE) {
    // CSV_FILE=path: a user's file through the file input, as the page reports it ("Read “name” (…) in …": from the
    // input's change event to the summary: the File read in the worker, the copy into wasm, Table::from_bytes, the
    // summary). Playwright hands the browser the file's path (a local file, as a user's upload).
    const name = path.basename(process.env.CSV_FILE);
    const bytes = fs.statSync(process.env.CSV_FILE).size;
    await page.setInputFiles('[data-testid="file-input"]', process.env.CSV_FILE);
    await page.waitForFunction((file) => document.querySelector('[data-testid="summary-source"]')?.textContent === file, name, { timeout: 300_000 });
    const fileLoad = await page.textContent('[data-testid="status"]');
    const rowsRead = await page.getAttribute('[data-testid="summary-rows"]', 'data-value');
    console.log(JSON.stringify({ csvFile: process.env.CSV_FILE, bytes, rows: Number(rowsRead), fileLoad }));
    await context.close();
    await env.stop();
    process.exit(0);
  }
  if (process.env.LOAD_ONLY === '1') {
    // Only the demo load (LOAD_ONLY=1): generate + parse, without training.
    console.log(JSON.stringify({ rows, demoLoad: loadLine, demoLoadParts: loadParts }));
    await context.close();
    await env.stop();
    process.exit(0);
  }
  const t0 = Date.now();
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.body.dataset.trained === '1', null, { timeout: 600_000 });
  const trainMs = Date.now() - t0;
  // Each long task with the page's own timed parts (performance.measure, see www/ui.js `measured`) that ran in it.
  const longTasks = await page.evaluate(() => {
    const parts = performance.getEntriesByType('measure').filter((m) => m.startTime >= window.benchT0);
    return window.longTasks.map((t) => ({
      ms: Math.round(t.ms),
      atMs: Math.round(t.start - window.benchT0),
      parts: parts.filter((m) => m.startTime >= t.start && m.startTime < t.start + t.ms)
        .map((m) => `${m.name} ${m.duration.toFixed(1)}`),
    }));
  });
  // The timed parts between the click and the results (max and total per name), long task or not.
  const partsMs = await page.evaluate(() => {
    const out = {};
    for (const m of performance.getEntriesByType('measure').filter((e) => e.startTime >= window.benchT0)) {
      const o = (out[m.name] ??= { count: 0, maxMs: 0 });
      o.count += 1;
      o.maxMs = Math.max(o.maxMs, Math.round(10 * m.duration) / 10);
    }
    return out;
  });
  const timings = await page.evaluate(() => document.getElementById('progress-stage').textContent);
  // Slider: 40 moves, each waited for (KPIs, fairness table and budget chart updated). Per move: the panel's own
  // figures (input event → drawn, and its parts: the worker round trip split by the client's timestamps, then the
  // KPI table, the chart and the fairness table) and, from a MutationObserver that runs right after the panel's
  // code, the style and layout the browser still owes for the new DOM (forced there, so it is counted).
  // With the cache, the moves start once the page has fetched the answers for every slider position (batches of 10
  // right after the results are drawn; a user's first move comes later than that).
  const t1 = Date.now();
  if (cache) await page.waitForFunction(() => document.body.dataset.sliderAnswers, null, { timeout: 120_000 });
  const answersMs = Date.now() - t1;
  const moves = [];
  for (let i = 0; i < 40; i += 1) {
    const v = (0.05 + 0.02 * i).toFixed(3);
    moves.push(await page.evaluate((x) => new Promise((resolve) => {
      const s = document.querySelector('[data-testid="budget-slider"]');
      const d = document.body.dataset;
      const t = performance.now();
      const seen = new MutationObserver(() => {
        if (d.simulatedBudget !== `share:${Number(x)}`) return;
        seen.disconnect();
        const before = performance.now();
        void document.body.offsetHeight; // style + layout of what the panel changed
        const after = performance.now();
        resolve({
          moveToLaidOut: after - t,
          layout: after - before,
          inPage: Number(d.simulateMs),
          cached: d.simulateCached === 'true',
          roundTrip: Number(d.simulateRoundTripMs),
          toWorker: Number(d.simulateToWorkerMs),
          queued: Number(d.simulateQueuedMs),
          work: Number(d.simulateWorkMs),
          fromWorker: Number(d.simulateFromWorkerMs),
          render: Number(d.simulateRenderMs),
          kpis: Number(d.simulateKpisMs),
          chart: Number(d.simulateChartMs),
          fairness: Number(d.simulateFairnessMs),
        });
      });
      seen.observe(document.body, { attributes: true, attributeFilter: ['data-simulated'] });
      s.value = x;
      s.dispatchEvent(new Event('input', { bubbles: true }));
    }), v));
  }
  // For comparison: the round trip of a request that does nothing (the memoryBytes test hook) from an idle page.
  for (let i = 0; i < 40; i += 1) {
    moves[i].idleRoundTrip = await page.evaluate(async () => {
      const t = performance.now();
      await window.upliftTestHooks.memoryBytes();
      return performance.now() - t;
    });
  }
  const stats = (key) => {
    const xs = moves.map((m) => m[key]).sort((a, b) => a - b);
    const r = (q) => Math.round(10 * xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]) / 10;
    return { median: r(0.5), p90: r(0.9), max: r(1) };
  };
  // The page's own files: index.html, main.*.js, the .wasm and style.css (not the single file, the component or the
  // embedding example, which a user loads instead of the page, never with it).
  const files = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f === 'index.html' || f === 'style.css' || /^main\..*\.js$|\.wasm$/.test(f));
  const gzip = files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'dist', f)), { level: 9 }).length, 0);
  console.log(JSON.stringify({
    rows,
    demoLoad: loadLine,
    demoLoadParts: loadParts && Object.fromEntries(Object.entries(loadParts).map(([k, v]) => [k, Math.round(v)])),
    clickToResultsMs: trainMs,
    progressLine: timings,
    longTasksDuringTraining: { count: longTasks.length, maxMs: Math.max(0, ...longTasks.map((t) => t.ms)), tasks: longTasks },
    timedPartsClickToResults: partsMs,
    sliderCache: cache ? { answers: Number(await page.evaluate(() => document.body.dataset.sliderAnswers)), fetchedInMsAfterResults: answersMs, movesFromCache: moves.filter((m) => m.cached).length } : 'off',
    sliderMoveToKpisMs: stats('inPage'),
    workerRoundTripMs: stats('roundTrip'),
    idleRoundTripMs: stats('idleRoundTrip'),
    roundTripParts: { toWorker: stats('toWorker'), queued: stats('queued'), work: stats('work'), fromWorker: stats('fromWorker') },
    renderKpisTableChartMs: stats('render'),
    renderParts: { kpis: stats('kpis'), chart: stats('chart'), fairness: stats('fairness') },
    styleLayoutAfterRenderMs: stats('layout'),
    sliderMoveToLaidOutMs: stats('moveToLaidOut'),
    pageWeightGzipBytes: gzip,
  }, null, 2));
  await context.close();
} finally {
  await env.stop();
}
