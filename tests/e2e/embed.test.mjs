// End-to-end tests of running anywhere: the single-file HTML from file:// with every network request blocked,
// the <uplift-simulator> component (two on one documentation page: own state, own settings, events, no CSS
// leakage), and the normal page staying usable once the network is cut.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, test } from 'node:test';
import { BYO_FIXTURE, byoFlow, openPage, ROOT, shot, start, value } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

/** Small, fast training settings. */
async function smallSettings(page) {
  await page.fill('[data-testid="train-trees"]', '20');
  await page.fill('[data-testid="train-depth"]', '4');
  await page.fill('[data-testid="train-folds"]', '3');
}

async function trainAndWait(page, count = 1) {
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction((n) => Number(document.body.dataset.trained || 0) >= n, count, { timeout: 240_000 });
  await page.waitForSelector('[data-testid="kpi-spend"]');
}

test('the single HTML file works from file:// with every network request blocked', async () => {
  const file = path.join(ROOT, 'dist', 'uplift-simulator.html');
  assert.ok(fs.existsSync(file), 'dist/uplift-simulator.html is built');
  const html = fs.readFileSync(file, 'utf8');
  // One file: no script or stylesheet by URL, and the .wasm inlined once.
  assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+stylesheet/);
  assert.equal(html.split('data:application/wasm;base64,').length - 1, 1, 'the wasm is inlined exactly once');
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const blocked = [];
  const requests = [];
  await context.route('**', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
    blocked.push(url);
    return route.abort();
  });
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  try {
    await page.goto(`${pathToFileURL(file).href}?demoRows=20000`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
    assert.equal(await value(page, 'summary-rows'), 20_000);
    await smallSettings(page);
    await trainAndWait(page);
    // 20,000 users × 0.10 × 30% = 600.
    assert.equal(await value(page, 'kpi-spend'), 600);
    assert.ok(Number.isFinite(await value(page, 'kpi-incremental')));
    await shot(page, 'single-file');
    assert.deepEqual(blocked, [], 'no request left the file');
    assert.deepEqual(requests.filter((u) => !/^(file|data|blob):/.test(u)), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('two <uplift-simulator> elements on a documentation page: own settings and state, events, no CSS leakage', async () => {
  const { page, context, log } = await openPage(env, { path: 'embed-example.html', waitReady: false });
  try {
    const events = [];
    await page.exposeFunction('recordEvent', (e) => events.push(e));
    await page.evaluate(() => {
      for (const name of ['scored', 'simulate']) {
        document.addEventListener(name, (e) => window.recordEvent({ name, source: e.target.id, detail: e.detail }));
      }
    });
    // Both train on their own demo data (autotrain) and show KPIs.
    for (const id of ['sim-a', 'sim-b']) {
      await page.waitForFunction((sel) => Number(document.getElementById(sel).dataset.trained || 0) >= 1, id, { timeout: 240_000 });
      await page.waitForSelector(`#${id} [data-testid="kpi-spend"]`);
    }
    const spend = async (id) => Number(await page.locator(`#${id} [data-testid="kpi-spend"]`).getAttribute('data-value'));
    const rows = async (id) => Number(await page.locator(`#${id} [data-testid="summary-rows"]`).getAttribute('data-value'));
    // Own data per element: 8,000 and 6,000 demo rows.
    assert.equal(await rows('sim-a'), 8000);
    assert.equal(await rows('sim-b'), 6000);
    // Own settings: A targets 20% at 0.10 per contact, B 50% at 0.05: 8000 × 0.2 × 0.1 = 160; 6000 × 0.5 × 0.05 = 150.
    await page.waitForFunction(() => document.getElementById('sim-a').dataset.simulated && document.getElementById('sim-b').dataset.simulated);
    assert.equal(await spend('sim-a'), 160);
    assert.equal(await spend('sim-b'), 150);
    assert.equal(await page.locator('#sim-a [data-testid="learner-used"]').textContent(), 'X-learner');
    assert.equal(await page.locator('#sim-b [data-testid="learner-used"]').textContent(), 'T-learner');
    // Events reached the host page (composed, bubbling), with the settings that differ.
    const scored = Object.fromEntries(events.filter((e) => e.name === 'scored').map((e) => [e.source, e.detail]));
    assert.equal(scored['sim-a'].learner, 'X');
    assert.equal(scored['sim-b'].learner, 'T');
    assert.equal(scored['sim-a'].rows, 8000);
    assert.equal(Object.values(scored['sim-b'].counts).reduce((a, b) => a + b, 0), 6000);
    assert.ok(Number.isFinite(scored['sim-a'].qini));
    const simulate = Object.fromEntries(events.filter((e) => e.name === 'simulate').map((e) => [e.source, e.detail]));
    assert.equal(simulate['sim-a'].costPerContact, 0.1);
    assert.equal(simulate['sim-b'].costPerContact, 0.05);
    assert.equal(simulate['sim-a'].share, 0.2);
    assert.equal(simulate['sim-b'].share, 0.5);
    assert.equal(simulate['sim-a'].spend, 160);
    assert.ok((await page.$$('[data-testid="event-log"] li')).length >= 4, 'the example page logged the events');
    // Moving A's slider changes A only.
    await page.locator('#sim-a [data-testid="budget-slider"]').evaluate((s) => {
      s.value = '0.6';
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.getElementById('sim-a').dataset.simulatedBudget === 'share:0.6');
    assert.equal(await spend('sim-a'), 480);
    assert.equal(await spend('sim-b'), 150);
    // No CSS leakage either way: the host's red h2 stays outside; the component's body/:root rules stay inside.
    const styles = await page.evaluate(() => {
      const inner = document.getElementById('sim-a').shadowRoot;
      return {
        hostH2: getComputedStyle(document.querySelector('[data-testid="host-heading"]')).color,
        innerH2: getComputedStyle(inner.querySelector('h2')).color,
        hostBodyBg: getComputedStyle(document.body).backgroundColor,
        hostFont: getComputedStyle(document.body).fontFamily,
        innerPanelBg: getComputedStyle(inner.querySelector('.panel')).backgroundColor,
        darkPanelBg: getComputedStyle(document.getElementById('sim-b').shadowRoot.querySelector('.panel')).backgroundColor,
        innerButtonBg: getComputedStyle(inner.querySelector('[data-testid="train-button"]')).backgroundColor,
        hostButtons: document.querySelectorAll('button').length,
      };
    });
    assert.equal(styles.hostH2, 'rgb(255, 0, 0)');
    assert.equal(styles.innerH2, 'rgb(33, 37, 41)');
    assert.equal(styles.hostBodyBg, 'rgba(0, 0, 0, 0)');
    assert.match(styles.hostFont, /Georgia/);
    assert.equal(styles.innerPanelBg, 'rgb(255, 255, 255)');
    assert.equal(styles.darkPanelBg, 'rgb(43, 48, 53)');
    assert.equal(styles.innerButtonBg, 'rgb(13, 110, 253)');
    assert.equal(styles.hostButtons, 0, 'the page markup lives in the shadow roots only');
    // Each element has its own worker.
    assert.ok(page.workers().length >= 2, `${page.workers().length} workers`);
    await shot(page, 'embed-example');
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.failed, []);
  } finally {
    await context.close();
  }
});

test('<uplift-simulator src=…> loads a same-origin CSV; with an uplift column and autotrain it uses those scores', async () => {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  // A host page and a CSV on the test server's origin (served by the route, as a static server would).
  await context.route(`${env.url}host/**`, (route) => {
    const url = route.request().url();
    if (url.endsWith('/scores.csv')) return route.fulfill({ contentType: 'text/csv', body: fs.readFileSync(BYO_FIXTURE) });
    return route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,">
        <script src="../uplift-simulator.js" defer></script></head><body>
        <uplift-simulator id="byo" src="scores.csv" cost="0.2" autotrain></uplift-simulator></body></html>`,
    });
  });
  try {
    await page.addInitScript(() => {
      document.addEventListener('scored', (e) => {
        window.scoredDetail = e.detail;
      });
    });
    await page.goto(`${env.url}host/index.html`);
    const detail = await (await page.waitForFunction(() => window.scoredDetail, null, { timeout: 60_000 })).jsonValue();
    assert.equal(detail.ownScores, true);
    assert.equal(detail.learner, 'yours');
    assert.equal(detail.rows, 4000);
    await page.waitForSelector('#byo [data-testid="kpi-spend"]');
    // 4,000 users × 0.20 (the cost attribute) × 30% = 240.
    assert.equal(Number(await page.locator('#byo [data-testid="kpi-spend"]').getAttribute('data-value')), 240);
    assert.equal(await page.locator('#byo [data-testid="summary-source"]').textContent(), 'scores.csv');
    assert.equal(await page.evaluate(() => document.getElementById('byo').dataset.trained), undefined);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('once loaded, the page keeps working with the network cut: demo training and bring-your-own scores', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=20000&testHooks=1' });
  try {
    await context.setOffline(true);
    const blocked = [];
    await context.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await smallSettings(page);
    await trainAndWait(page);
    assert.equal(await value(page, 'kpi-spend'), 600);
    // A crashed worker is restarted from its Blob URL (its script is in the page already), so that works offline
    // too: a panic (test hook) restarts it, the data is replayed, and training works again.
    const failed = await page.evaluate(() => window.upliftTestHooks.panic('panic').then(() => 'resolved', (e) => e.message));
    assert.notEqual(failed, 'resolved', 'the panic reached the page as an error');
    await page.waitForSelector('[data-testid="cancel-button"]', { state: 'hidden' });
    assert.equal(await page.evaluate(() => document.body.dataset.trained), '1');
    await smallSettings(page);
    await trainAndWait(page, 2);
    assert.equal(await value(page, 'kpi-spend'), 600);
    // Bring-your-own scores offline.
    await byoFlow(page);
    assert.deepEqual(blocked, [], 'nothing needed the network');
    // The only console errors are the panic's own report in the worker.
    assert.ok(log.errors.every((e) => e.startsWith('worker:') || /unreachable|RuntimeError|panicked/.test(e)), log.errors.join('\n'));
  } finally {
    await context.close();
  }
});
