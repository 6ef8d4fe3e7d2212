// The page's speed in headless Chromium (docs/BENCHMARKS.md, "Page"): demo data (200,000 rows) from the Train
// click to results, main-thread long tasks while training, slider move → KPIs updated, page weight (gzip).
//
//   bash scripts/build.sh && node scripts/bench-page.mjs            (DEMO_ROWS=… TREES=… to change)
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openPage, ROOT, start } from '../tests/e2e/harness.mjs';

const rows = Number(process.env.DEMO_ROWS || 200_000);
const env = await start();
try {
  const { page, context } = await openPage(env, { path: rows === 200_000 ? '' : `?demoRows=${rows}` });
  if (process.env.TREES) await page.fill('[data-testid="train-trees"]', process.env.TREES);
  await page.evaluate(() => {
    window.longTasks = [];
    new PerformanceObserver((l) => window.longTasks.push(...l.getEntries().map((e) => e.duration))).observe({ type: 'longtask', buffered: false });
  });
  const loadLine = await page.textContent('[data-testid="status"]');
  const t0 = Date.now();
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.body.dataset.trained === '1', null, { timeout: 600_000 });
  const trainMs = Date.now() - t0;
  const longTasks = await page.evaluate(() => window.longTasks);
  const timings = await page.evaluate(() => document.getElementById('progress-stage').textContent);
  // Slider: 40 moves, each waited for (KPIs, fairness table and budget chart updated).
  const moves = [];
  for (let i = 0; i < 40; i += 1) {
    const v = (0.05 + 0.02 * i).toFixed(3);
    const ms = await page.evaluate((x) => new Promise((resolve) => {
      const s = document.querySelector('[data-testid="budget-slider"]');
      const t = performance.now();
      // simulateMs: from the input event to the KPIs, fairness table and chart drawn (set by the panel).
      const done = () => (document.body.dataset.simulatedBudget === `share:${Number(x)}`
        ? resolve([performance.now() - t, Number(document.body.dataset.simulateMs),
          Number(document.body.dataset.simulateRoundTripMs), Number(document.body.dataset.simulateRenderMs)])
        : setTimeout(done, 1));
      s.value = x;
      s.dispatchEvent(new Event('input', { bubbles: true }));
      done();
    }), v);
    moves.push(ms);
  }
  const inPage = moves.map((m) => m[1]).sort((a, b) => a - b);
  const polled = moves.map((m) => m[0]).sort((a, b) => a - b);
  const trip = moves.map((m) => m[2]).sort((a, b) => a - b);
  const draw = moves.map((m) => m[3]).sort((a, b) => a - b);
  // The page's own files: index.html, main.*.js, the .wasm and style.css (not the single file, the component or the
  // embedding example, which a user loads instead of the page, never with it).
  const files = fs.readdirSync(path.join(ROOT, 'dist')).filter((f) => f === 'index.html' || f === 'style.css' || /^main\..*\.js$|\.wasm$/.test(f));
  const gzip = files.reduce((n, f) => n + zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'dist', f)), { level: 9 }).length, 0);
  console.log(JSON.stringify({
    rows,
    demoLoad: loadLine,
    clickToResultsMs: trainMs,
    progressLine: timings,
    longTasksDuringTraining: { count: longTasks.length, maxMs: Math.max(0, ...longTasks) },
    sliderMoveToKpisMs: { median: inPage[20], p90: inPage[36], max: inPage[39] },
    workerRoundTripMs: { median: trip[20], p90: trip[36] },
    renderKpisTableChartMs: { median: draw[20], p90: draw[36] },
    sliderMoveObservedByPollingMs: { median: polled[20], p90: polled[36], max: polled[39] },
    pageWeightGzipBytes: gzip,
  }, null, 2));
  await context.close();
} finally {
  await env.stop();
}
