// End-to-end tests of "bring your own scores" in the built page: a CSV with the data and an `uplift` column
// (plus p_control, p_treated) skips training; archetypes, review, simulator and the fairness audit run on it.
//
// Fixture tests/fixtures/demo_4000_seed7_scores.csv = the demo data plus the uplift, p_control and p_treated
// columns that `uplift fit` wrote for it (row i of SCORES.csv is data row i):
//   uplift generate --rows 4000 --seed 7 --out demo4000.csv
//   uplift fit demo4000.csv --treatment treatment --outcome conversion --revenue revenue --id user_id \
//     --learner t --folds 3 --trees 20 --depth 3 --seed 7 --out scores.csv --quiet
//   paste -d, demo4000.csv <(cut -d, -f2,4,5 scores.csv) > demo_4000_seed7_scores.csv
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { BYO_FIXTURE, byoFlow, openPage, shot, start, upload } from './harness.mjs';

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.stop();
});

const value = async (page, testid) => Number(await page.getAttribute(`[data-testid="${testid}"]`, 'data-value'));

test('bring your own scores: the uplift column skips training; simulator, archetypes, review and audit run', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=1000' });
  try {
    // The demo has no uplift column: the offer is hidden.
    assert.equal(await page.isVisible('[data-testid="use-scores-button"]'), false);
    await byoFlow(page);
    assert.equal(await page.textContent('[data-testid="learner-used"]'), 'your own scores');
    assert.equal((await page.$$('[data-testid^="card-"]')).length, 4);
    await page.waitForFunction(() => document.querySelector('[data-testid="review-range"]').textContent !== '');
    assert.equal((await value(page, 'review-approved')) + (await value(page, 'review-flagged-count')), 4000);
    // The fairness audit of the roles' attributes (engagement, app_user).
    assert.ok((await page.$$('[data-testid="fairness-table"] tbody tr:not(.group)')).length >= 4);
    // The score columns are not features: no segment rule names them.
    const rules = await page.textContent('[data-testid="archetype-cards"]');
    assert.doesNotMatch(rules, /(uplift|p_control|p_treated) (≤|>|=)/);
    // The export gives the same uplift back for row 0 (the fixture's first line).
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-scores"]')]);
    const text = fs.readFileSync(await download.path(), 'utf8').split('\n');
    assert.ok(text[0].startsWith('row,uplift,p_control,p_treated'), text[0]);
    assert.equal(text[1].split(',').slice(0, 2).join(','), '0,-0.0004599321519180104');
    await shot(page, 'byo-scores');
    assert.deepEqual(log.errors, []);
  } finally {
    await context.close();
  }
});

test('a bad uplift column is refused with the line to fix', async () => {
  const { page, context } = await openPage(env, { path: '?demoRows=1000' });
  try {
    const lines = fs.readFileSync(BYO_FIXTURE, 'utf8').split('\n');
    const col = lines[0].split(',').indexOf('uplift');
    const withCell = (i, cell) => lines.map((l, j) => {
      if (j !== i) return l;
      const cells = l.split(',');
      cells[col] = cell;
      return cells.join(',');
    }).join('\n');
    // Data row 5 is line 7 of the file (line 1 is the header).
    await upload(page, 'missing.csv', withCell(6, ''), 4000);
    await page.click('[data-testid="use-scores-button"]');
    await page.waitForSelector('[data-testid="error"]:not([hidden])');
    assert.equal(await page.textContent('[data-testid="error"]'),
      'Line 7: column “uplift” of the scores file is empty. Every row needs a score.');
    await upload(page, 'text.csv', withCell(3, 'high'), 4000);
    await page.click('[data-testid="use-scores-button"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]').textContent.includes('high'));
    assert.equal(await page.textContent('[data-testid="error"]'),
      'Line 4: column “uplift” should be a number, but it says “high”.');
    assert.equal(await page.isVisible('[data-testid="simulator-panel"]'), false);
  } finally {
    await context.close();
  }
});

/** A panic in the worker through the test hook (`?testHooks=1`); resolves once the page shows the restart. */
async function panicAndRestart(page) {
  const failed = await page.evaluate(() => window.upliftTestHooks.panic('panic').then(() => 'resolved', (e) => e.message));
  assert.match(failed, /^The engine stopped unexpectedly \(.+\)\. It has been restarted and your data reloaded; try again\.$/);
  await page.waitForFunction(() => /The engine was restarted/.test(document.querySelector('[data-testid="error"]').textContent));
}

test('a restarted worker gets back your scores file, its roles and the results (simulator answers)', async () => {
  const { page, context } = await openPage(env, { path: '?demoRows=1000&testHooks=1' });
  try {
    await byoFlow(page);
    await panicAndRestart(page);
    await page.$eval('[data-testid="budget-slider"]', (s) => {
      s.value = '0.5';
      s.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction(() => document.body.dataset.simulatedBudget === 'share:0.5');
    assert.equal(await value(page, 'kpi-spend'), 200); // 4,000 users × 50% × 0.10
  } finally {
    await context.close();
  }
});

/** Small settings, so that training 20,000 rows takes seconds. */
async function smallSettings(page) {
  await page.selectOption('[data-testid="train-learner"]', 't');
  await page.fill('[data-testid="train-trees"]', '10');
  await page.fill('[data-testid="train-depth"]', '3');
  await page.fill('[data-testid="train-folds"]', '2');
}

// The worker runs requests in order: "Try the demo data" sends `loadDemo`; the panic (test hook) is sent right after
// it, so the worker loads the demo (served from its cached CSV), then panics; the role check the page sends once the
// demo is loaded was still waiting. The restarted worker must get the demo AND those roles (before the fix the role
// check failed with the restart and the next Train said "Choose the treatment and outcome columns first.").
test('demo trained, your scores, "Try the demo data" and a worker panic at once: the restarted worker has the demo and its roles', async () => {
  const { page, context, log } = await openPage(env, { path: '?demoRows=20000&testHooks=1' });
  try {
    await smallSettings(page);
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.body.dataset.trained === '1', null, { timeout: 120_000 });
    await byoFlow(page);
    const failed = await page.evaluate(() => {
      document.querySelector('[data-testid="demo-button"]').click();
      return window.upliftTestHooks.panic('panic').then(() => 'resolved', (e) => e.message);
    });
    assert.match(failed, /^The engine stopped unexpectedly \(.+\)\. It has been restarted and your data reloaded; try again\.$/);
    // The demo (20,000 rows) is loaded and its roles are checked by the restarted worker: the report counts its rows.
    await page.waitForFunction(() => document.querySelector('[data-testid="summary-source"]')?.textContent.startsWith('demo data (')
      && document.querySelector('[data-testid="rows-kept"]')?.dataset.value === '20000', null, { timeout: 60_000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="cancel-button"]').hidden);
    assert.match(await page.textContent('[data-testid="error"]'), /The engine was restarted; your data is still loaded\.$/);
    // Train on what the restarted worker holds: the demo with the roles on screen, not "choose the columns first".
    await smallSettings(page);
    const simulated = await page.evaluate(() => Number(document.body.dataset.simulated || 0));
    await page.click('[data-testid="train-button"]');
    await page.waitForFunction(() => document.body.dataset.trained === '2'
      || document.getElementById('progress-stage').textContent === 'Training failed.', null, { timeout: 120_000 });
    const stage = await page.textContent('[data-testid="progress-stage"]');
    assert.ok(stage.startsWith('Done'), `${stage} ${await page.textContent('[data-testid="error"]')}`);
    assert.equal(await page.isHidden('[data-testid="error"]'), true);
    // The model is the demo's: 20,000 users, 30% × 20,000 × 0.10 = 600.
    await page.waitForFunction((n) => Number(document.body.dataset.simulated) > n, simulated);
    assert.equal(await value(page, 'kpi-spend'), 600);
    assert.ok(log.errors.every((e) => e.startsWith('worker:') || /unreachable|RuntimeError|panicked/.test(e)), log.errors.join('\n'));
  } finally {
    await context.close();
  }
});
