// Peak memory of the page's worker for the N-row demo (docs/BENCHMARKS.md, "Memory"): the wasm linear memory size
// (it only grows, so its size after a step is the peak so far) after loading the demo and after training with the
// page's defaults, plus the main thread's JS heap (performance.memory, Chromium only).
//
//   bash scripts/build.sh && node scripts/bench-memory.mjs            (DEMO_ROWS=… TREES=… to change)
import { openPage, start } from '../tests/e2e/harness.mjs';

const rows = Number(process.env.DEMO_ROWS || 1_000_000);
const mb = (b) => Math.round(b / 2 ** 20);
const env = await start();
try {
  const { page, context } = await openPage(env, { path: `?demoRows=${rows}&testHooks=1` });
  if (process.env.TREES) await page.fill('[data-testid="train-trees"]', process.env.TREES);
  const afterLoad = await page.evaluate(() => window.upliftTestHooks.memoryBytes());
  const t0 = Date.now();
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.body.dataset.trained === '1', null, { timeout: 1_200_000 });
  const trainMs = Date.now() - t0;
  const afterTrain = await page.evaluate(() => window.upliftTestHooks.memoryBytes());
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? null);
  console.log(JSON.stringify({
    rows,
    trees: process.env.TREES || 'page default',
    wasmMemoryAfterLoadMb: mb(afterLoad),
    wasmMemoryAfterTrainMb: mb(afterTrain),
    mainThreadJsHeapMb: heap == null ? null : mb(heap),
    trainMs,
  }, null, 2));
  await context.close();
} finally {
  await env.stop();
}
