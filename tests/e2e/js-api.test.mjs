// The JS API example (examples/js-api.mjs) runs under node against the built pkg/ and gives consistent answers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from './harness.mjs';

test('examples/js-api.mjs: generate, load, fit, simulate, audit and own scores from node', () => {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'examples', 'js-api.mjs'), '20000'], { encoding: 'utf8' });
  const steps = Object.fromEntries(out.trim().split('\n').map((l) => JSON.parse(l)).map((s) => [s.step, s]));
  assert.match(steps.version.version, /^\d+\.\d+\.\d+/);
  assert.equal(steps.load.rows, 20_000);
  assert.equal(steps.load.roles.treatment, 'treatment');
  assert.equal(steps.fit.learner, 'T');
  assert.equal(Object.values(steps.fit.archetypes).reduce((a, b) => a + b, 0), 20_000);
  // 30% of 20,000 users at 0.10 per contact.
  assert.equal(steps.simulate.targeted, 6000);
  assert.equal(steps.simulate.spend, 600);
  assert.deepEqual(steps.audit.attributes, ['engagement', 'app_user']);
  // The exported uplift brought back: nothing trained, the same Qini and the same spend.
  assert.equal(steps['own scores'].hasScores, true);
  assert.equal(steps['own scores'].learner, 'yours');
  assert.equal(steps['own scores'].qini, steps.fit.qini);
  assert.equal(steps['own scores'].spend, 600);
});
