// Shared by the end-to-end tests: serve dist/ on a free localhost port, drive Debian's Chromium with
// playwright-core, and record every console error, failed request and requested URL of a page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/static-server.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Flags that keep Chromium from reaching any outside host (TOOLCHAIN.md); --no-sandbox because CI runs as root. */
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function start() {
  if (!fs.existsSync(path.join(ROOT, 'dist', 'index.html'))) {
    throw new Error('dist/index.html is missing: run bash scripts/build.sh first');
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const { server, url } = await startServer(path.join(ROOT, 'dist'), 0);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ARGS,
  });
  return {
    url,
    browser,
    async stop() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * Open the page in a fresh context and wait until the demo data is loaded.
 * `log.errors`: console errors and uncaught exceptions; `log.failed`: failed requests and HTTP ≥ 400;
 * `log.requests`: every URL requested (page and workers).
 */
export async function openPage(env, { width = 1280, height = 800, waitReady = true, path = '' } = {}) {
  const context = await env.browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  const page = await context.newPage();
  const log = { errors: [], failed: [], requests: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') log.errors.push(m.text());
  });
  page.on('pageerror', (e) => log.errors.push(`uncaught: ${e.message}`));
  context.on('request', (r) => log.requests.push(r.url()));
  context.on('requestfailed', (r) => log.failed.push(`${r.url()} ${r.failure()?.errorText}`));
  context.on('response', (r) => {
    if (r.status() >= 400) log.failed.push(`${r.url()} HTTP ${r.status()}`);
  });
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && log.errors.push(`worker: ${m.text()}`)));
  await page.goto(env.url + path);
  if (waitReady) await page.waitForSelector('body[data-ready="true"]', { timeout: 120_000 });
  return { page, context, log };
}

/** Pixels of a canvas that are not (near) white, counted in the page. */
export function inkPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 230 || data[i + 1] < 230 || data[i + 2] < 230)) n += 1;
    return n;
  });
}

/** Pixels of the treatment bar colour (#0D6EFD at 75% over white ≈ rgb(74, 146, 254)). */
export function treatmentBarPixels(page, selector) {
  return page.$eval(selector, (canvas) => {
    const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i] - 74) < 8 && Math.abs(data[i + 1] - 146) < 8 && data[i + 2] > 240) n += 1;
    }
    return n;
  });
}

export const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

export const value = async (page, testid) => Number(await page.getAttribute(`[data-testid="${testid}"]`, 'data-value'));

// ---- bring your own scores (byo.test.mjs, embed.test.mjs) ----
/** The demo data + the uplift, p_control, p_treated columns `uplift fit` wrote for it (see byo.test.mjs). */
export const BYO_FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'demo_4000_seed7_scores.csv');

/** Upload a CSV (name, text) and wait for its summary. */
export async function upload(page, name, text, rows) {
  await page.setInputFiles('[data-testid="file-input"]', { name, mimeType: 'text/csv', buffer: Buffer.from(text) });
  await page.waitForFunction(([file, n]) => document.querySelector('[data-testid="summary-source"]')?.textContent === file
    && document.querySelector('[data-testid="summary-rows"]')?.dataset.value === String(n), [name, rows]);
}

/** The BYO flow on the fixture: upload, "Use these scores", KPIs shown, nothing trained. */
export async function byoFlow(page) {
  const trained = await page.evaluate(() => document.body.dataset.trained);
  await upload(page, 'demo_4000_seed7_scores.csv', fs.readFileSync(BYO_FIXTURE, 'utf8'), 4000);
  await page.waitForSelector('[data-testid="use-scores-button"]', { state: 'visible' });
  await page.click('[data-testid="use-scores-button"]');
  await page.waitForFunction(() => document.body.dataset.scored === '1', null, { timeout: 60_000 });
  await page.waitForSelector('[data-testid="kpi-spend"]');
  // 4,000 users × 0.10 per contact × 30% (the default budget) = 120.
  assert.equal(await value(page, 'kpi-spend'), 120);
  assert.ok(Number.isFinite(await value(page, 'kpi-incremental')));
  assert.equal(await page.evaluate(() => document.body.dataset.trained), trained, 'no training ran');
}

