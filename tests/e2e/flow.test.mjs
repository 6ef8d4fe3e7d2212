// End-to-end tests of training and deciding in the built page (dist/): train on small demo data, results and
// charts, the budget slider, fairness, the review queue, exports, the URL hash, Hillstrom arms, cancel.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { inkPixels, openPage, ROOT, shot, start } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const fixture = (name) => fs.readFileSync(path.join(ROOT, 'tests', 'fixtures', name));
const value = async (page, testid) => Number(await page.getAttribute(`[data-testid="${testid}"]`, 'data-value'));
/** Small, fast settings: CI's machine is slow. */
async function smallSettings(page, { trees = '20', folds = '3' } = {}) {
  await page.fill('[data-testid="train-trees"]', trees);
  await page.fill('[data-testid="train-depth"]', '4');
  await page.fill('[data-testid="train-folds"]', folds);
}
async function trainAndWait(page, count = 1) {
  await page.click('[data-testid="train-button"]');
  await page.waitForFunction((n) => Number(document.body.dataset.trained || 0) >= n, count, { timeout: 240_000 });
}
/** Move the budget slider to a value (as a keyboard or mouse would: input event) and wait for the KPIs. */
async function setBudget(page, v) {
  await page.$eval('[data-testid="budget-slider"]', (s, x) => {
    s.value = String(x);
    s.dispatchEvent(new Event('input', { bubbles: true }));
  }, v);
  await page.waitForFunction((x) => document.body.dataset.simulatedBudget === `share:${x}`, v);
}
function parseCsvHeader(text) {
  return text.slice(0, text.indexOf('\n')).split(',');
}
function onlyOwnOrigin(log, url) {
  const origin = new URL(url).origin;
  return log.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== origin);
}

test('full flow on demo data: train, results, simulator, fairness, review, exports, hash', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=20000' });
  try {
    assert.equal(await value(page, 'summary-rows'), 20_000);
    await smallSettings(page);
    await trainAndWait(page);
    // Results: a learner was used and the Qini chart is drawn.
    assert.match(await page.textContent('[data-testid="learner-used"]'), /^(blend of S, T, X and DR|[STX]-learner|DR-learner)$/);
    assert.ok((await inkPixels(page, '[data-testid="qini-chart"]')) > 3000, 'qini chart drawn');
    assert.ok((await inkPixels(page, '[data-testid="histogram-chart"]')) > 3000, 'histogram drawn');
    assert.match(await page.textContent('[data-testid="metrics-table"]'), /Qini coefficient/);
    const cards = await page.$$('[data-testid^="card-"]');
    assert.equal(cards.length, 4);
    // Simulator: more budget ⇒ more spend; ROAS is reported and changes.
    await page.waitForSelector('[data-testid="kpi-spend"]');
    await setBudget(page, 0.1);
    const spend10 = await value(page, 'kpi-spend');
    const roas10 = await value(page, 'kpi-roas');
    await setBudget(page, 0.6);
    const spend60 = await value(page, 'kpi-spend');
    const roas60 = await value(page, 'kpi-roas');
    // 20,000 users × 0.10 per contact: 10% ⇒ 200, 60% ⇒ 1200.
    assert.equal(spend10, 200);
    assert.equal(spend60, 1200);
    assert.ok(Number.isFinite(roas10) && Number.isFinite(roas60) && roas10 !== roas60, `ROAS ${roas10} → ${roas60}`);
    assert.ok(Number.isFinite(await value(page, 'kpi-incremental')));
    assert.match(await page.textContent('[data-testid="headline"]'), /\S/);
    // Fairness table: the seed's columns, one row per group of engagement and app_user.
    const header = await page.$$eval('[data-testid="fairness-table"] thead th', (ths) => ths.map((t) => t.textContent));
    assert.deepEqual(header, ['Segment', 'Disparate Impact', 'Statistical Parity', '80% Rule', 'Status']);
    assert.ok((await page.$$('[data-testid="fairness-table"] tbody tr:not(.group)')).length >= 4);
    // Review queue: a page of rows and the counts add up.
    await page.waitForSelector('[data-testid="review-table"] tbody tr');
    assert.equal((await value(page, 'review-approved')) + (await value(page, 'review-flagged-count')), 20_000);
    // The URL hash holds the settings and the slider.
    const hash = await page.evaluate(() => location.hash);
    assert.match(hash, /trees=20/);
    assert.match(hash, /b=0\.6/);
    await shot(page, 'trained-1280x800');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, 'trained-390x844');
    await page.setViewportSize({ width: 1280, height: 800 });
    // Exports: scores CSV with the documented header and one line per user; the model card parses.
    const [scores] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-scores"]')]);
    assert.equal(scores.suggestedFilename(), 'scores.csv');
    const csv = fs.readFileSync(await scores.path(), 'utf8');
    assert.deepEqual(parseCsvHeader(csv), ['row', 'uplift', 'uplift_se', 'p_control', 'p_treated', 'response_score', 'id', 'archetype', 'review']);
    assert.equal(csv.trimEnd().split('\n').length, 20_001);
    const [card] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-model-card"]')]);
    const model = JSON.parse(fs.readFileSync(await card.path(), 'utf8'));
    // The default is auto (issue 8): it reports what it asked for and what it used (usually the blend).
    assert.equal(model.model.learnerRequested, 'auto');
    assert.ok(['blend', 'S', 'T', 'X', 'DR'].includes(model.model.learnerUsed), model.model.learnerUsed);
    assert.equal(model.model.propensityClip, 0.01);
    assert.equal(model.model.imbalanceWeighting, false);
    assert.equal(model.data.rows, 20_000);
    assert.ok(model.metrics.uplift.qini == null || model.metrics.uplift.qini.low <= model.metrics.uplift.qini.high);
    assert.ok(model.archetypes.thresholds.persuadableMin > 0);
    const [audit] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-audit"]')]);
    const auditJson = JSON.parse(fs.readFileSync(await audit.path(), 'utf8'));
    assert.deepEqual(auditJson.attributes, ['engagement', 'app_user']);
    const [review] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-review"]')]);
    assert.match(fs.readFileSync(await review.path(), 'utf8'), /^row,id,uplift,uplift_se,p_control,archetype,review,reason\n/);
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    assert.deepEqual(log.errors, [], 'console errors');
    assert.deepEqual(log.failed, [], 'failed requests');
    assert.deepEqual(onlyOwnOrigin(log, env.url), [], 'requests to other hosts');
  } finally {
    await context.close();
  }
});

test('a shared link (URL hash) restores the settings and the slider once the same data is loaded', async () => {
  const hash = '#src=demo+data+%2820%2C000+rows%2C+seed+42%29&learner=t&trees=15&depth=3&folds=2&clip=0.02&seed=7&imb=0&audit=app_user&bmode=share&b=0.45';
  const { page, context, log } = await openPage(env, { path: `?demoRows=20000${hash}` });
  try {
    assert.equal(await page.inputValue('[data-testid="train-learner"]'), 't');
    assert.equal(await page.inputValue('[data-testid="train-trees"]'), '15');
    assert.equal(await page.inputValue('[data-testid="train-clip"]'), '0.02');
    assert.equal(await page.isChecked('[data-testid="audit-engagement"]'), false);
    await trainAndWait(page);
    await page.waitForFunction(() => document.body.dataset.simulatedBudget === 'share:0.45');
    assert.equal(await page.inputValue('[data-testid="budget-slider"]'), '0.45');
    // 20,000 × 45% × 0.10 = 900; only app_user is audited.
    assert.equal(await value(page, 'kpi-spend'), 900);
    assert.match(await page.textContent('[data-testid="fairness-table"]'), /app_user/);
    assert.doesNotMatch(await page.textContent('[data-testid="fairness-table"]'), /engagement/);
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

test('Hillstrom with arm choice trains (visits, Womens E-Mail vs No E-Mail)', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=2000' });
  try {
    // tests/fixtures/hillstrom_3000.csv: the first 3000 rows; Womens E-Mail 998 rows (159 visits), No E-Mail 993 (122 visits).
    await page.setInputFiles('[data-testid="file-input"]', { name: 'hillstrom.csv', mimeType: 'text/csv', buffer: fixture('hillstrom_3000.csv') });
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    await page.selectOption('[data-testid="arm-treatment"]', 'Womens E-Mail');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="treated-rows"]')?.dataset.value) === 998);
    await page.selectOption('[data-testid="column-outcome"]', 'visit');
    await page.waitForFunction(() => document.querySelector('[data-testid="report"]').textContent.includes('159 conversions'));
    await page.selectOption('[data-testid="train-learner"]', 't');
    await smallSettings(page, { folds: '2' });
    await trainAndWait(page);
    assert.match(await page.textContent('[data-testid="learner-used"]'), /^T-learner$/);
    assert.ok((await inkPixels(page, '[data-testid="qini-chart"]')) > 3000);
    await page.waitForSelector('[data-testid="kpi-spend"]');
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    await shot(page, 'hillstrom-trained');
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

test('cancel during training leaves the page usable', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=20000' });
  try {
    // A training failure (1 fold cannot cross-fit) is a plain message; nothing else changes.
    await page.fill('[data-testid="train-folds"]', '1');
    await page.click('[data-testid="train-button"]');
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.match(await page.textContent('[data-testid="error"]'), /folds/i);
    assert.equal(await page.isEnabled('[data-testid="train-button"]'), true);
    // Many trees and folds: long enough (seconds) to check a frame is drawn while training, then cancel mid-way.
    await smallSettings(page, { trees: '2000', folds: '10' });
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]').value > 0 || document.querySelector('[data-testid="progress-stage"]').textContent !== 'Starting…');
    assert.equal(await page.isVisible('[data-testid="cancel-button"]'), true);
    // The main thread stays responsive while the worker trains.
    const t = Date.now();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
    assert.ok(Date.now() - t < 1000, 'a frame was drawn while training');
    await page.click('[data-testid="cancel-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="progress-stage"]').textContent.startsWith('Cancelled'));
    assert.equal(await page.isEnabled('[data-testid="train-button"]'), true);
    assert.equal(await page.isHidden('[data-testid="cancel-button"]'), true);
    // The data is still loaded in the restarted worker: a small training now works.
    await smallSettings(page);
    await trainAndWait(page);
    assert.ok((await inkPixels(page, '[data-testid="qini-chart"]')) > 3000);
    assert.equal(await value(page, 'summary-rows'), 20_000);
    // Cancelling a re-train brings back the model shown, with its privileged group (replayed in the new worker).
    await page.waitForSelector('[data-testid="privileged-app_user"]');
    const group = await page.$eval('[data-testid="privileged-app_user"] option:nth-child(2)', (o) => o.value);
    await page.selectOption('[data-testid="privileged-app_user"]', group);
    await page.waitForFunction((g) => document.querySelector('[data-testid="fairness-table"]').textContent.includes(`app_user — reference: ${g}`), group);
    await smallSettings(page, { trees: '2000', folds: '10' });
    await page.click('[data-testid="train-button"]');
    await page.waitForSelector('[data-testid="cancel-button"]:not([hidden])');
    await page.click('[data-testid="cancel-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="progress-stage"]').textContent.startsWith('Cancelled'));
    await setBudget(page, 0.25);
    assert.equal(await value(page, 'kpi-spend'), 500);
    assert.match(await page.textContent('[data-testid="fairness-table"]'), new RegExp(`app_user — reference: ${group}`));
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});
