// Where the main thread's time goes from the Train click to the results drawn: a CDP CPU profile of the page
// (demo data, DEMO_ROWS rows, default 20,000), self time per function, largest first.
//
//   bash scripts/build.sh && node scripts/profile-page.mjs            (DEMO_ROWS=… TOP=…)
import { openPage, start } from '../tests/e2e/harness.mjs';

const rows = Number(process.env.DEMO_ROWS || 20_000);
const env = await start();
try {
  const { page, context } = await openPage(env, { path: `?testHooks=1&demoRows=${rows}` });
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
  await cdp.send('Profiler.start');
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction(() => document.body.dataset.trained === '1', null, { timeout: 600_000 });
  await page.waitForTimeout(1000); // the simulator's first answer and chart
  const { profile } = await cdp.send('Profiler.stop');
  const self = new Map();
  const dt = profile.timeDeltas;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const f = byId.get(id).callFrame;
    const key = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    self.set(key, (self.get(key) || 0) + (dt[i] || 0) / 1000);
  });
  const top = [...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP || 30));
  for (const [k, ms] of top) console.log(`${ms.toFixed(1).padStart(8)} ms  ${k}`);
  await context.close();
} finally {
  await env.stop();
}
