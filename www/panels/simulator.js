// Panel 5 — Simulator: budget slider (share or money), cost and value inputs, archetype thresholds; KPIs of
// uplift targeting next to conversion-rate targeting, everyone and random; the budget chart with the current
// point; the headline; the fairness table and the fairness-aware option. A slider move is one `simulate`
// round-trip to the worker, coalesced (never more than one in flight); the chart is redrawn here.
import { drawBudgetChart } from '../charts.js';
import { savedFor, writeHash } from '../state.js';
import { el, fmt, showError } from '../ui.js';

const POLICIES = ['uplift', 'conversionRate', 'everyone', 'random'];
const money = (x) => (x == null || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: 2 }));
const num = (x, d = 1) => (x == null || !Number.isFinite(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d }));
const est = (e, d = 1) => (e ? `${num(e.estimate, d)} [${num(e.low, d)}, ${num(e.high, d)}]` : '—');

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ onCampaign: (summary: object) => void }} app
 */
export function createSimulatorPanel(engine, app) {
  const panel = document.getElementById('simulator-panel');
  const $ = (id) => document.getElementById(id);
  const slider = $('budget-slider');
  const cost = $('cost-input');
  const value = $('value-input');
  const pmin = $('pmin-slider');
  const dnd = $('dnd-slider');
  const canvas = $('budget-chart');
  let rows = 0;
  let curve = null;
  let source = null;
  let want = null;
  let inflight = false;
  let lastView = null;

  const mode = () => document.querySelector('input[name="budget-mode"]:checked').value;
  const maxMoney = () => rows * Math.max(Number(cost.value) || 0, 0);

  function setSliderRange() {
    if (mode() === 'share') {
      Object.assign(slider, { min: 0, max: 1, step: 0.005 });
      slider.setAttribute('aria-valuetext', `${fmt.pct(Number(slider.value), 1)} of users`);
    } else {
      const top = maxMoney();
      Object.assign(slider, { min: 0, max: top, step: Math.max(top / 200, 0.01) });
    }
  }

  function budget() {
    return { kind: mode(), value: Number(slider.value) };
  }

  function label() {
    const b = budget();
    const text = b.kind === 'share' ? `${fmt.pct(b.value, 1)} of users` : `${money(b.value)} to spend`;
    $('budget-label').textContent = text;
    slider.setAttribute('aria-valuetext', text);
  }

  /** Ask the worker for this budget; at most one request in flight, the latest wins. */
  function request() {
    label();
    want = { budget: budget(), t: performance.now() };
    if (!inflight) pump();
  }

  async function pump() {
    inflight = true;
    try {
      while (want) {
        const { budget: b, t } = want;
        want = null;
        const view = await engine.simulate(b);
        const tr = performance.now();
        render(view);
        const ms = performance.now() - t;
        document.body.dataset.simulateRoundTripMs = (tr - t).toFixed(1);
        document.body.dataset.simulateRenderMs = (performance.now() - tr).toFixed(1);
        document.body.dataset.simulateMs = ms.toFixed(1);
        document.body.dataset.simulatedBudget = `${b.kind}:${b.value}`;
        document.body.dataset.simulated = String(Number(document.body.dataset.simulated || 0) + 1);
      }
    } catch (e) {
      showError(e.message);
    } finally {
      inflight = false;
    }
    writeHash({ bmode: mode(), b: slider.value });
  }

  function kpiCell(p, key, text, testid) {
    const attrs = { dataset: { value: key ?? '' } };
    if (p.policy === 'uplift' && testid) attrs.dataset.testid = testid;
    return el('td', attrs, text);
  }

  function renderKpis(sim) {
    const by = Object.fromEntries(sim.policies.map((p) => [p.policy, p]));
    const ps = POLICIES.map((k) => by[k]).filter(Boolean);
    const row = (name, f) => el('tr', {}, el('th', { scope: 'row' }, name), ...ps.map(f));
    $('kpi-table').replaceChildren(
      el('caption', {}, `At this budget: ${fmt.int(sim.targeted)} users (${fmt.pct(sim.share, 1)}), ${money(sim.costPerContact)} per contact, ${money(sim.valuePerConversion)} per conversion`),
      el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'KPI'), ...ps.map((p) => el('th', { scope: 'col' }, p.label)))),
      el('tbody', {},
        row('Spend', (p) => kpiCell(p, p.spend, money(p.spend), 'kpi-spend')),
        row('Incremental conversions (95% interval)', (p) => kpiCell(p, p.incrementalConversions?.estimate, est(p.incrementalConversions), 'kpi-incremental')),
        row('Incremental ROAS', (p) => kpiCell(p, p.incrementalRoas?.estimate, est(p.incrementalRoas, 2), 'kpi-roas')),
        row('Cost per incremental conversion', (p) => kpiCell(p, p.costPerIncrementalConversion, money(p.costPerIncrementalConversion), 'kpi-cpic')),
        row('Profit', (p) => kpiCell(p, p.profit, money(p.profit), 'kpi-profit'))),
    );
  }

  function renderFairness(view) {
    const head = el('thead', {}, el('tr', {}, ['Segment', 'Disparate Impact', 'Statistical Parity', '80% Rule', 'Status'].map((h) => el('th', { scope: 'col' }, h))));
    const bodies = view.audits.map((a) => el('tbody', {},
      el('tr', { class: 'group' }, el('th', { colspan: 5, scope: 'rowgroup' }, `${a.attribute} — reference: ${a.referenceGroup ?? 'highest rate'}`)),
      a.rows.map((r) => el('tr', { class: r.rule80 === 'FAIL' ? 'fail' : null },
        el('td', {}, r.segment),
        el('td', { dataset: { value: r.disparateImpact ?? '' } }, num(r.disparateImpact, 3)),
        el('td', { dataset: { value: r.statisticalParity ?? '' } }, num(r.statisticalParity, 3)),
        el('td', {}, r.rule80 || '—'),
        el('td', {}, r.status)))));
    $('fairness-table').replaceChildren(el('caption', {}, 'Share of each group targeted, compared with the reference group (80% rule: at least 0.8)'), head, ...bodies);
    $('fair-option').replaceChildren(...view.fairTargeting.map((f) => el('p', {}, f.summary)));
    renderPrivileged(view.audits);
  }

  function renderPrivileged(audits) {
    const box = $('privileged-picks');
    if (box.dataset.built === 'true') return;
    box.dataset.built = 'true';
    box.replaceChildren(...audits.map((a) => {
      const select = el('select', { dataset: { testid: `privileged-${a.attribute}` } },
        el('option', { value: '' }, 'compare lowest with highest'),
        a.groups.map((g) => el('option', { value: g.group }, g.group)));
      select.addEventListener('change', async () => {
        try {
          await engine.setPrivileged(a.attribute, select.value || null);
          request();
        } catch (e) {
          showError(e.message);
        }
      });
      return el('label', {}, `Privileged group for ${a.attribute} `, select);
    }));
  }

  function render(view) {
    lastView = view;
    renderKpis(view.simulation);
    $('headline').textContent = view.simulation.headline;
    if (curve) drawBudgetChart(canvas, curve, 'incrementalConversions', view.simulation.share);
    renderFairness(view);
  }

  const thresholdLabels = () => {
    $('pmin-label').textContent = `${(100 * Number(pmin.value)).toFixed(2)} pts`;
    $('dnd-label').textContent = `${(100 * Number(dnd.value)).toFixed(2)} pts`;
  };

  async function campaignChanged() {
    thresholdLabels();
    const params = {
      simulator: { costPerContact: Number(cost.value), valuePerConversion: Number(value.value) },
      archetypes: { persuadableMin: Number(pmin.value), doNotDisturbMin: Number(dnd.value) },
    };
    writeHash({ cost: cost.value, value: value.value, pmin: pmin.value, dnd: dnd.value });
    try {
      const r = await engine.setCampaignParams(params);
      curve = r.curve;
      app.onCampaign(r.summary);
      setSliderRange();
      request();
    } catch (e) {
      showError(e.message);
    }
  }

  /** A new model: reset the ranges, restore saved slider positions for this source, simulate. */
  async function show(result, newSource) {
    source = newSource;
    rows = result.summary.rows;
    curve = result.curve;
    const t = result.summary.thresholds;
    const s = result.summary.settings.campaign;
    cost.value = s.simulator.costPerContact;
    value.value = s.simulator.valuePerConversion ?? 40;
    pmin.max = Math.max(0.05, 2 * t.persuadableMin);
    pmin.value = t.persuadableMin;
    dnd.value = -t.doNotDisturbMax;
    $('privileged-picks').dataset.built = 'false';
    const saved = savedFor(source);
    if (saved.bmode) document.querySelector(`input[name="budget-mode"][value="${saved.bmode === 'money' ? 'money' : 'share'}"]`).checked = true;
    setSliderRange();
    if (saved.b) slider.value = saved.b;
    thresholdLabels();
    panel.hidden = false;
    const restore = ['cost', 'value', 'pmin', 'dnd'].some((k) => saved[k] != null);
    if (restore) {
      for (const [k, input] of [['cost', cost], ['value', value], ['pmin', pmin], ['dnd', dnd]]) if (saved[k] != null) input.value = saved[k];
      await campaignChanged();
    } else {
      request();
    }
  }

  slider.addEventListener('input', request);
  for (const r of document.querySelectorAll('input[name="budget-mode"]')) {
    r.addEventListener('change', () => {
      // Keep the same number of users when switching between share and money.
      const share = lastView ? lastView.simulation.share : 0.3;
      setSliderRange();
      slider.value = mode() === 'share' ? share : share * maxMoney();
      request();
    });
  }
  for (const input of [cost, value, pmin, dnd]) input.addEventListener('change', campaignChanged);
  for (const input of [pmin, dnd]) input.addEventListener('input', thresholdLabels);

  return { show, budget };
}
