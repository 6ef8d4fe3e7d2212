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
