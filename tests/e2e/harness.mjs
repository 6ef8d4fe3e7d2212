// Shared by the end-to-end tests: serve dist/ on a free localhost port, drive Debian's Chromium with
// playwright-core, and record every console error, failed request and requested URL of a page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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
