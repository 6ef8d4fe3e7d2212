// End-to-end tests of the built page (dist/) in headless Chromium: load, demo, upload, arms, errors, chart, privacy.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inkPixels, openPage, ROOT, shot, start, treatmentBarPixels } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const fixture = (name) => fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', name));
const value = async (page, testid) => Number(await page.getAttribute(`[data-testid="${testid}"]`, 'data-value'));
const upload = (page, name, buffer, mimeType = 'text/csv') =>
  page.setInputFiles('[data-testid="file-input"]', { name, mimeType, buffer });

/** Every request went to the page's own origin (data: and blob: URLs never leave the browser). */
function assertOnlyOwnOrigin(log, url) {
  const origin = new URL(url).origin;
  const outside = log.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
  assert.deepEqual(outside, [], 'requests to other hosts');
  assert.ok(log.requests.length >= 4, `html, js, css, wasm at least: ${log.requests.join(' ')}`);
}

test('opens with the demo data, no console error, no failed request, only its own host', async (t) => {
  const t0 = Date.now();
  const { page, context, log } = await openPage(env);
  try {
    t.diagnostic(`page open → demo ready: ${Date.now() - t0} ms; ${await page.textContent('[data-testid="status"]')}`);
    // Demo: 200,000 rows × 18 columns, roles detected, both arms counted, chart drawn.
    assert.equal(await value(page, 'summary-rows'), 200_000);
    assert.equal(await value(page, 'summary-columns'), 18);
    assert.equal(await page.inputValue('[data-testid="column-treatment"]'), 'treatment');
    assert.equal(await page.inputValue('[data-testid="column-outcome"]'), 'conversion');
    const treated = await value(page, 'treated-rows');
    const control = await value(page, 'control-rows');
    assert.equal(treated + control, 200_000);
    // Treatment share 0.85 ± 0.005 (> 3 sd at 200k rows).
    assert.ok(Math.abs(treated / 200_000 - 0.85) < 0.005, `treated share ${treated / 200_000}`);
    assert.ok((await treatmentBarPixels(page, '[data-testid="arm-chart"]')) > 2000, 'treatment bar drawn');
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    assert.match(await page.textContent('[data-testid="privacy"]'), /never leaves this browser/);
    assert.match(await page.textContent('[data-testid="version"]'), /^v\d+\.\d+\.\d+$/);
    await shot(page, 'demo-1280x800');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'demo-390x844');
    // The demo button loads it again (generated in the worker).
    await page.click('[data-testid="demo-button"]');
    await page.waitForFunction(() => document.getElementById('status').textContent.includes('generated in'));
    assert.equal(await value(page, 'summary-rows'), 200_000);
    assert.deepEqual(log.errors, [], 'console errors');
    assert.deepEqual(log.failed, [], 'failed requests');
    assertOnlyOwnOrigin(log, env.url);
  } finally {
    await context.close();
  }
});

test('a user CSV uploaded through the file input is summarized', async () => {
  const { page, context, log } = await openPage(env);
  try {
    await upload(page, 'my-test.csv', fixture('demo_1000_seed7.csv'));
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-source"]')?.textContent === 'my-test.csv');
    assert.equal(await value(page, 'summary-rows'), 1000);
    assert.equal(await value(page, 'summary-columns'), 18);
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rows-kept"]')?.dataset.value) === 1000);
    const table = await page.textContent('[data-testid="columns-table"]');
    assert.match(table, /engagement/);
    assert.match(table, /audit attribute/);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.failed, []);
    assertOnlyOwnOrigin(log, env.url);
  } finally {
    await context.close();
  }
});

test('Hillstrom-style text arms: the page asks, the user picks treatment and control', async () => {
  const { page, context, log } = await openPage(env);
  try {
    // tests/fixtures/hillstrom_2000.csv: the first 2000 rows of the Hillstrom e-mail test. By segment:
    // Womens E-Mail 679 rows (15 conversions), Mens E-Mail 663, No E-Mail 658 (4 conversions).
    await upload(page, 'hillstrom.csv', fixture('hillstrom_2000.csv'));
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.textContent('[data-testid="error"]'), /“segment” has 3 different values/);
    assert.equal(await page.inputValue('[data-testid="column-treatment"]'), 'segment');
    assert.equal(await page.inputValue('[data-testid="arm-control"]'), 'No E-Mail');
    await page.selectOption('[data-testid="arm-treatment"]', 'Womens E-Mail');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="treated-rows"]')?.dataset.value) === 679);
    assert.equal(await value(page, 'control-rows'), 658);
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    assert.match(await page.textContent('[data-testid="report"]'), /Mens E-Mail” 663 rows/);
    assert.ok((await treatmentBarPixels(page, '[data-testid="arm-chart"]')) > 2000, 'treatment bar drawn');
    await shot(page, 'hillstrom-arms');
    // Switching the outcome to "visit" is checked again at once.
    await page.selectOption('[data-testid="column-outcome"]', 'visit');
    await page.waitForFunction(() => document.querySelector('[data-testid="report"]').textContent.includes('Treatment “Womens E-Mail”'));
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.failed, []);
  } finally {
    await context.close();
  }
});

test('a file dropped on the drop zone is read like a chosen one', async () => {
  const { page, context, log } = await openPage(env);
  try {
    const csv = fixture('demo_1000_seed7.csv').toString('utf8');
    const dataTransfer = await page.evaluateHandle((text) => {
      const dt = new DataTransfer();
      dt.items.add(new File([text], 'dropped.csv', { type: 'text/csv' }));
      return dt;
    }, csv);
    await page.dispatchEvent('[data-testid="drop-zone"]', 'drop', { dataTransfer });
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-source"]')?.textContent === 'dropped.csv');
    assert.equal(await value(page, 'summary-rows'), 1000);
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

test('a bad file shows a message and the page stays usable', async () => {
  const { page, context, log } = await openPage(env);
  try {
    const binary = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    await upload(page, 'photo.csv', binary, 'image/png');
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.textContent('[data-testid="error"]'), /does not look like a text CSV file/);
    // The demo data is still the loaded data, and the page still works.
    assert.equal(await value(page, 'summary-rows'), 200_000);
    await upload(page, 'empty.csv', Buffer.alloc(0));
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent.startsWith('The file is empty'));
    await upload(page, 'ok.csv', fixture('demo_1000_seed7.csv'));
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-source"]')?.textContent === 'ok.csv');
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    assert.equal(await value(page, 'summary-rows'), 1000);
    // A wrong column choice is a message too, and choosing the right one recovers.
    await page.selectOption('[data-testid="column-outcome"]', 'f0');
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    await page.selectOption('[data-testid="column-outcome"]', 'conversion');
    await page.waitForSelector('[data-testid="error"]', { state: 'hidden' });
    assert.ok((await inkPixels(page, '[data-testid="arm-chart"]')) > 2000);
    assert.deepEqual(log.errors, []);
    assert.deepEqual(log.failed, []);
  } finally {
    await context.close();
  }
});

test('Cancel stops a running load; the worker restarts with the data loaded before', async () => {
  const { page, context, log } = await openPage(env);
  try {
    assert.equal(await page.isHidden('[data-testid="cancel-button"]'), true, 'nothing runs: no Cancel');
    await upload(page, 'small.csv', fixture('demo_1000_seed7.csv'));
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rows-kept"]')?.dataset.value) === 1000);
    await page.click('[data-testid="demo-button"]'); // 200,000 rows: takes seconds
    await page.click('[data-testid="cancel-button"]');
    await page.waitForFunction(() => document.getElementById('status').textContent.startsWith('Cancelled.'));
    assert.equal(await page.isHidden('[data-testid="cancel-button"]'), true);
    assert.equal(await value(page, 'summary-rows'), 1000);
    // The restarted worker has small.csv again (replayed): a new role choice is checked against its 1000 rows.
    await page.selectOption('[data-testid="column-revenue"]', '');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="rows-kept"]')?.dataset.value) === 1000);
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    assert.equal(await page.isEnabled('[data-testid="demo-button"]'), true);
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

test('the demo CSV download has the documented format', async () => {
  const { page, context } = await openPage(env);
  try {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="demo-download"]')]);
    assert.equal(download.suggestedFilename(), 'uplift-demo-200000-seed42.csv');
    const text = fs.readFileSync(await download.path(), 'utf8');
    const lines = text.trimEnd().split('\n');
    assert.equal(lines[0], 'user_id,f0,f1,f2,f3,f4,f5,f6,f7,f8,f9,f10,f11,engagement,app_user,treatment,conversion,revenue');
    assert.equal(lines.length, 200_001);
    // Same generator, same seed: the first 1000 rows of seed 7 are the fixture, so check seed 42 starts like itself.
    assert.match(lines[1], /^u0000001,/);
  } finally {
    await context.close();
  }
});

test('the Content-Security-Policy blocks requests to other hosts', async () => {
  const { page, context, log } = await openPage(env, { waitReady: false });
  try {
    const outcome = await page.evaluate(() =>
      fetch('http://example.com/x').then(
        () => 'fetched',
        () => 'blocked',
      ),
    );
    assert.equal(outcome, 'blocked');
    // Blocked before any request was made: nothing was sent anywhere else.
    assert.ok(log.requests.every((u) => !u.includes('example.com')), log.requests.join(' '));
  } finally {
    await context.close();
  }
});
