// Panel 3 — Train: learner and its settings with one-line explanations, the attributes to audit, the Train
// button and a progress bar with stage names. The status bar's Cancel (main.js) stops it: the worker restarts
// and the data stays loaded.
import { CancelledError } from '../api.js';
import { savedFor, writeHash } from '../state.js';
import { clearError, el, fmt, setStatus, showError } from '../ui.js';

const HELP = {
  x: 'X-learner: fits a model per group, imputes each user’s effect, then learns it — the method of the original study. With few control conversions it leans on a weak control-group model; Auto is safer.',
  auto: 'Auto: fits S, T, X and DR once, then keeps their average (blend) unless one learner ranks clearly better on users no model trained on — on our test data the blend was best on every run. About 1.4–1.8× the time of X alone.',
  blend: 'Blend: the average of the S, T, X and DR estimates; their errors partly cancel.',
  t: 'T-learner: one model for treated users, one for control users; the uplift is the difference.',
  s: 'S-learner: one model that knows who saw the ad; simple and cautious, may miss small effects.',
  dr: 'DR-learner: doubly robust — corrects the outcome models with the chance of being shown the ad.',
};

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ onTrained: (result: {summary: object, curve: object, ms: number}) => void }} app
 */
export function createTrainPanel(engine, app) {
  const panel = document.getElementById('train-panel');
  const $ = (id) => document.getElementById(id);
  const f = {
    learner: $('train-learner'),
    trees: $('train-trees'),
    depth: $('train-depth'),
    folds: $('train-folds'),
    clip: $('train-clip'),
    seed: $('train-seed'),
    imbalance: $('train-imbalance'),
  };
  const auditBox = $('audit-picks');
  const trainButton = $('train-button');
  const bar = $('progress');
  const stageText = $('progress-stage');
  let source = null;
  let columns = [];
  let running = false;

  const help = () => {
    $('learner-help').textContent = HELP[f.learner.value];
  };

  /** A file was loaded: offer its columns for the audit and restore saved settings for this file. */
  function show(summary, newSource) {
    source = newSource;
    columns = summary.columns;
    const saved = savedFor(source);
    if (saved.learner) f.learner.value = saved.learner;
    for (const k of ['trees', 'depth', 'folds', 'clip', 'seed']) if (saved[k]) f[k].value = saved[k];
    if (saved.imb) f.imbalance.checked = saved.imb === '1';
    const audit = saved.audit != null ? saved.audit.split(',').filter(Boolean) : summary.roles.audit;
    auditBox.replaceChildren(
      el('legend', {}, 'Attributes to audit for fairness'),
      ...columns
        .filter((c) => c.distinct != null || c.kind !== 'text')
        .map((c) => el('label', { class: 'check' },
          el('input', { type: 'checkbox', value: c.name, checked: audit.includes(c.name), dataset: { testid: `audit-${c.name}` } }),
          ` ${c.name}`)),
    );
    help();
    panel.hidden = false;
  }

  const num = (input, fallback) => {
    const v = Number(input.value);
    return Number.isFinite(v) && input.value !== '' ? v : fallback;
  };

  function params() {
    const audit = [...auditBox.querySelectorAll('input:checked')].map((i) => i.value);
    return {
      run: {
        uplift: {
          learner: f.learner.value,
          folds: num(f.folds, 5),
          propensityClip: num(f.clip, 0.01),
          imbalanceWeighting: f.imbalance.checked,
          seed: num(f.seed, 42),
        },
        base: { gbdt: { trees: num(f.trees, 100), maxDepth: num(f.depth, 6) } },
      },
      audit,
    };
  }

  function saveHash(p) {
    const u = p.run.uplift;
    writeHash({
      src: source, learner: u.learner, trees: p.run.base.gbdt.trees, depth: p.run.base.gbdt.maxDepth,
      folds: u.folds, clip: u.propensityClip, seed: u.seed, imb: u.imbalanceWeighting ? 1 : 0, audit: p.audit.join(','),
    });
  }

  function busy(on) {
    running = on;
    trainButton.disabled = on;
    panel.setAttribute('aria-busy', on ? 'true' : 'false');
  }

  function onProgress(msg) {
    stageText.textContent = msg.stage;
    if (msg.fraction != null) bar.value = msg.fraction;
  }

  async function train() {
    if (running) return;
    clearError();
    const p = params();
    saveHash(p);
    busy(true);
    bar.value = 0;
    stageText.textContent = 'Starting…';
    const t = performance.now();
    try {
      const result = await engine.train(p, onProgress);
      bar.value = 1;
      stageText.textContent = `Done in ${fmt.ms(performance.now() - t)}.`;
      const used = result.summary.learnerUsed === 'blend' ? 'blend of S, T, X and DR' : `${result.summary.learnerUsed}-learner`;
      setStatus(`Trained on ${fmt.int(result.summary.rows)} users with the ${used} in ${fmt.ms(result.ms)}.`);
      await app.onTrained(result);
      document.body.dataset.trained = String(Number(document.body.dataset.trained || 0) + 1);
    } catch (e) {
      bar.value = 0;
      if (e instanceof CancelledError) {
        stageText.textContent = 'Cancelled. Your data is still loaded; earlier results (if any) are kept.';
      } else {
        stageText.textContent = 'Training failed.';
        showError(e.message);
      }
    } finally {
      busy(false);
    }
  }

  f.learner.addEventListener('change', help);
  trainButton.addEventListener('click', train);

  return { show, hide: () => { panel.hidden = true; } };
}
