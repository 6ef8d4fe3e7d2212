// Panel 4 — Results: which learner and why, Qini/AUUC with intervals for τ̂ and for the response score, the
// Qini, decile, histogram and calibration charts, and one card per archetype with its segment rules.
import { drawResultCharts, drawHistogram } from '../charts.js';
import { el, fmt, measured, nextTask } from '../ui.js';

const pts = (x) => (x == null ? '—' : `${(100 * x).toFixed(2)} pts`);
const interval = (i, f = (x) => x.toFixed(4)) => (i ? `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]` : 'undefined');

export function createResultsPanel(ctx) {
  const panel = ctx.$('results-panel');
  const { $ } = ctx;

  function renderWhy(s) {
    const name = s.ownScores ? 'your own scores' : s.learnerUsed === 'blend' ? 'blend of S, T, X and DR' : `${s.learnerUsed}-learner`;
    const parts = [el('p', {}, 'Method used: ', el('b', { dataset: { testid: 'learner-used' } }, name),
      s.ownScores ? ` from your file (nothing trained here), ${fmt.int(s.rows)} users.` : ` on ${s.baseLearner}, ${fmt.int(s.rows)} users.`)];
    if (s.auto) {
      parts.push(el('p', {}, 'Why: ', s.auto.reason));
      if (s.auto.runnerUp) parts.push(el('p', { class: 'hint' }, `Runner-up: ${s.auto.runnerUp.toUpperCase()}-learner. ${s.auto.method}`));
    }
    $('learner-why').replaceChildren(...parts);
  }

  function renderMetrics(s) {
    const m = s.metrics;
    const r = s.responseMetrics ?? {};
    const conf = `${Math.round(100 * m.intervals.confidence)}%`;
    const row = (label, a, b, f) => el('tr', {}, el('th', { scope: 'row' }, label), el('td', {}, interval(a, f)), el('td', {}, s.responseMetrics ? interval(b, f) : '—'));
    $('metrics').replaceChildren(
      el('div', { class: 'table-wrap' }, el('table', { dataset: { testid: 'metrics-table' } },
        el('caption', {}, `How well each score ranks users by the effect of the ad (${conf} bootstrap intervals, ${m.intervals.replicates} resamples)`),
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'Measure'), el('th', { scope: 'col' }, 'Uplift model (τ̂)'), el('th', { scope: 'col' }, 'Conversion-rate score'))),
        el('tbody', {},
          row('Qini coefficient (higher is better; 0 = random)', m.qini, r.qini),
          row('Area under the uplift curve', m.auuc, r.auuc),
          row(`Uplift in the top ${Math.round(100 * m.k)}%`, m.upliftAtKOverall, r.upliftAtKOverall, (x) => pts(x))))),
      ...(m.undefined.length ? [el('p', { class: 'hint' }, m.undefined.join(' '))] : []),
    );
    const qini = $('metrics').querySelector('td');
    if (qini && m.qini) qini.dataset.value = m.qini.estimate;
  }

  function ruleTexts(s, code) {
    const a = s.rules.archetypes.find((x) => x.archetype === code);
    return a ? a.rules.slice(0, 3).map((r) => r.text) : [];
  }

  /** The archetype cards and the τ̂ histogram (a new campaign). */
  function renderCards(s) {
    renderCardList(s);
    drawHistogramChart(s);
  }

  function drawHistogramChart(s) {
    measured('results: histogram chart', () => drawHistogram($('histogram-chart'), s.histogram));
  }

  function renderCardList(s) {
    const cards = s.archetypes.map((a) => el('article', { class: `card archetype-${a.archetype}`, dataset: { testid: `card-${a.archetype}` } },
      el('h4', {}, a.label),
      el('p', { class: 'big', dataset: { value: a.count } }, `${fmt.int(a.count)} users (${fmt.pct(a.share, 1)})`),
      el('p', {}, `Mean predicted uplift: ${pts(a.meanUplift)}`),
      el('p', {}, `Base rate (without the ad): ${a.meanPControl == null ? '—' : fmt.pct(a.meanPControl)}`),
      el('ul', { class: 'rules' }, ruleTexts(s, a.archetype).map((t) => el('li', {}, t)))));
    const t = s.thresholds;
    $('archetype-cards').replaceChildren(
      el('p', { class: 'hint' }, `Persuadable: τ̂ ≥ ${pts(t.persuadableMin)}; Do-Not-Disturb: τ̂ ≤ ${pts(t.doNotDisturbMax)}; break-even ${pts(t.breakEven)}. Rules found by a small decision tree (right for ${fmt.pct(s.rules.accuracy, 0)} of users).`),
      ...cards,
    );
  }

  function renderWarnings(s) {
    const list = [...s.warnings, ...(s.propensity?.warning ? [s.propensity.warning] : [])];
    $('train-warnings').replaceChildren(...(list.length ? [el('h3', {}, 'Notes'), el('ul', { class: 'warnings' }, list.map((w) => el('li', {}, w)))] : []));
  }

  /** Show a new training summary; each chart in a task of its own, so no main-thread task grows long. */
  async function show(s) {
    measured('results: tables', () => {
      renderWhy(s);
      renderMetrics(s);
      renderWarnings(s);
      panel.hidden = false;
    });
    const canvases = { qini: $('qini-chart'), deciles: $('decile-chart'), calibration: $('calibration-chart') };
    for (const [name, draw] of drawResultCharts(canvases, s)) {
      await nextTask();
      measured(`results: ${name} chart`, draw);
    }
    await nextTask();
    measured('results: archetype cards', () => renderCardList(s));
    await nextTask();
    drawHistogramChart(s);
  }

  return { show, renderCards };
}
