// Panel 5 — Simulator: budget slider (share or money), cost and value inputs, archetype thresholds; KPIs of
// uplift targeting next to conversion-rate targeting, everyone and random; the budget chart with the current
// point; the headline; the fairness table and the fairness-aware option. A slider move is one `simulate`
// round-trip to the worker, coalesced (never more than one in flight). The tables are built once per shape (the
// policies, the audited groups) and then updated in place, text node by text node; the chart's curves are drawn
// once per curve, a move redraws only the marker (charts.js budgetChart).
import { budgetChart } from '../charts.js';
import { el, fmt } from '../ui.js';

const POLICIES = ['uplift', 'conversionRate', 'everyone', 'random'];
// One formatter per number of digits, made once: `toLocaleString` with options builds a new Intl.NumberFormat per
// call (~50 µs each, ~40 numbers per slider move).
const FORMATS = [0, 1, 2, 3].map((d) => new Intl.NumberFormat('en-US', { maximumFractionDigits: d }));
const num = (x, d = 1) => (x == null || !Number.isFinite(x) ? '—' : FORMATS[d].format(x));
const money = (x) => num(x, 2);
const est = (e, d = 1) => (e ? `${num(e.estimate, d)} [${num(e.low, d)}, ${num(e.high, d)}]` : '—');

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ onCampaign: (summary: object) => void }} app
 */
export function createSimulatorPanel(ctx, engine, app) {
  const { showError } = ctx;
  const panel = ctx.$('simulator-panel');
  const { $ } = ctx;
  const slider = $('budget-slider');
  const cost = $('cost-input');
  const value = $('value-input');
  const pmin = $('pmin-slider');
  const dnd = $('dnd-slider');
  const chart = budgetChart($('budget-chart'));
  let rows = 0;
  let curve = null;
  let source = null;
  let want = null;
  let inflight = false;
  let lastView = null;

  const mode = () => ctx.root.querySelector('input[name="budget-mode"]:checked').value;
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

  // The answers for every position the slider can reach, asked from the worker (which computes each one exactly as
  // for a move) in small batches once the model, the campaign settings, the privileged groups or the slider's range
  // changed: a move to such a position is then drawn without a round trip to the worker. `?sliderCache=0` turns it
  // off (bench-page.mjs measures both paths).
  const useCache = new URLSearchParams(location.search).get('sliderCache') !== '0';
  const BATCH = 10; // a move to a position not fetched yet waits behind at most one batch (~5 ms of worker time)
  let grid = null; // { key, views: Map(slider value text → CampaignView) }
  let gridGeneration = 0;
  const gridKey = () => `${mode()}|${slider.min}|${slider.max}|${slider.step}`;
  const cached = () => (grid?.key === gridKey() ? grid.views.get(slider.value) : undefined);

  /** The model, the settings or the privileged groups changed: earlier answers are stale. */
  function forgetAnswers() {
    gridGeneration += 1;
    grid = null;
  }

  /** The values this slider can take, as its own text (a detached copy of it snaps them the same way). */
  function positions() {
    const probe = document.createElement('input');
    probe.type = 'range';
    Object.assign(probe, { min: slider.min, max: slider.max, step: slider.step });
    const [min, max, step] = [Number(slider.min), Number(slider.max), Number(slider.step)];
    const n = Math.min(1000, Math.round((max - min) / step));
    const out = new Set();
    for (let i = 0; i <= n; i += 1) {
      probe.value = String(min + i * step);
      out.add(probe.value);
    }
    return [...out];
  }

  async function fillAnswers() {
    const generation = gridGeneration;
    const key = gridKey();
    grid = { key, views: new Map() };
    const values = positions();
    const kind = mode();
    for (let i = 0; i < values.length; i += BATCH) {
      const batch = values.slice(i, i + BATCH);
      let views;
      try {
        views = await engine.simulateMany(batch.map((v) => ({ kind, value: Number(v) })));
      } catch {
        return; // a restart or a cancel: moves still ask the worker one by one
      }
      if (generation !== gridGeneration || grid?.key !== key) return;
      batch.forEach((v, j) => grid.views.set(v, views[j]));
    }
    ctx.signals.dataset.sliderAnswers = String(grid.views.size);
  }

  /** Show this budget: from the answers already fetched, else ask the worker (at most one request in flight, the
   * latest wins). */
  function request() {
    label();
    want = { budget: budget(), t: performance.now(), view: useCache ? cached() : undefined };
    if (!inflight) pump();
  }

  async function pump() {
    inflight = true;
    try {
      while (want) {
        const { budget: b, t, view: hit } = want;
        want = null;
        const view = hit ?? await engine.simulate(b);
        const tr = performance.now();
        render(view);
        const ms = performance.now() - t;
        ctx.signals.dataset.simulateRoundTripMs = (tr - t).toFixed(1);
        ctx.signals.dataset.simulateRenderMs = (performance.now() - tr).toFixed(1);
        ctx.signals.dataset.simulateMs = ms.toFixed(1);
        ctx.signals.dataset.simulateCached = hit ? 'true' : 'false';
        const trip = hit ? { toWorkerMs: 0, queuedMs: 0, workMs: 0, fromWorkerMs: 0 } : engine.lastTiming('simulate');
        if (trip) {
          for (const [k, v] of Object.entries(trip)) ctx.signals.dataset[`simulate${k[0].toUpperCase()}${k.slice(1)}`] = v.toFixed(2);
        }
        for (const [k, v] of Object.entries(parts)) ctx.signals.dataset[`simulate${k}Ms`] = v.toFixed(2);
        ctx.signals.dataset.simulatedBudget = `${b.kind}:${b.value}`;
        ctx.bump('simulated');
        emitSimulate(view.simulation);
      }
    } catch (e) {
      showError(e.message);
    } finally {
      inflight = false;
    }
    ctx.writeHash({ bmode: mode(), b: slider.value });
    if (useCache && grid?.key !== gridKey()) fillAnswers();
  }

  /** Tell the host page (component event `simulate`): the uplift policy's KPIs at this budget. */
  function emitSimulate(sim) {
    const up = sim.policies.find((p) => p.policy === 'uplift') ?? {};
    ctx.emit('simulate', {
      budget: budget(),
      targeted: sim.targeted,
      share: sim.share,
      spend: up.spend,
      incrementalConversions: up.incrementalConversions?.estimate ?? null,
      incrementalRoas: up.incrementalRoas?.estimate ?? null,
      profit: up.profit ?? null,
      costPerContact: sim.costPerContact,
      valuePerConversion: sim.valuePerConversion,
      headline: sim.headline,
    });
  }

  /** Set a cell's text (its one text node) and its raw number (`data-value`), touching the DOM only on a change. */
  function setCell(cell, text, raw) {
    const textNode = cell.firstChild;
    if (textNode.data !== text) textNode.data = text;
    if (raw !== undefined) {
      const v = raw == null ? '' : String(raw);
      if (cell.dataset.value !== v) cell.dataset.value = v;
    }
  }
  const cell = (tag, attrs = {}) => el(tag, attrs, '');

  const KPI_ROWS = [
    ['Spend', 'kpi-spend', (p) => [money(p.spend), p.spend]],
    ['Incremental conversions (95% interval)', 'kpi-incremental', (p) => [est(p.incrementalConversions), p.incrementalConversions?.estimate]],
    ['Incremental ROAS', 'kpi-roas', (p) => [est(p.incrementalRoas, 2), p.incrementalRoas?.estimate]],
    ['Cost per incremental conversion', 'kpi-cpic', (p) => [money(p.costPerIncrementalConversion), p.costPerIncrementalConversion]],
    ['Profit', 'kpi-profit', (p) => [money(p.profit), p.profit]],
  ];
  /** The KPI table as built for one list of policies: { key, caption, cells[row][policy] }. */
  let kpiTable = null;

  function renderKpis(sim) {
    const by = Object.fromEntries(sim.policies.map((p) => [p.policy, p]));
    const ps = POLICIES.map((k) => by[k]).filter(Boolean);
    const key = ps.map((p) => `${p.policy}:${p.label}`).join('|');
    if (kpiTable?.key !== key) {
      const caption = cell('caption');
      const cells = KPI_ROWS.map(([, testid]) => ps.map((p) => cell('td', { dataset: p.policy === 'uplift' ? { value: '', testid } : { value: '' } })));
      $('kpi-table').replaceChildren(
        caption,
        el('thead', {}, el('tr', {}, el('th', { scope: 'col' }, 'KPI'), ...ps.map((p) => el('th', { scope: 'col' }, p.label)))),
        el('tbody', {}, KPI_ROWS.map(([name], i) => el('tr', {}, el('th', { scope: 'row' }, name), ...cells[i]))),
      );
      kpiTable = { key, caption, cells };
    }
    setCell(kpiTable.caption, `At this budget: ${fmt.int(sim.targeted)} users (${fmt.pct(sim.share, 1)}), ${money(sim.costPerContact)} per contact, ${money(sim.valuePerConversion)} per conversion`);
    KPI_ROWS.forEach(([, , value], i) => ps.forEach((p, j) => setCell(kpiTable.cells[i][j], ...value(p))));
  }

  /** The fairness table as built for one set of audited attributes and segments: { key, groups[], rows[][], fair[] }. */
  let fairTable = null;

  function renderFairness(view) {
    const key = JSON.stringify([view.audits.map((a) => [a.attribute, a.rows.map((r) => r.segment)]), view.fairTargeting.length]);
    if (fairTable?.key !== key) {
      const head = el('thead', {}, el('tr', {}, ['Segment', 'Disparate Impact', 'Statistical Parity', '80% Rule', 'Status'].map((h) => el('th', { scope: 'col' }, h))));
      const groups = view.audits.map(() => cell('th', { colspan: 5, scope: 'rowgroup' }));
      const rows = view.audits.map((a) => a.rows.map((r) => {
        const cells = [el('td', {}, r.segment), cell('td', { dataset: { value: '' } }), cell('td', { dataset: { value: '' } }), cell('td'), cell('td')];
        return { tr: el('tr', {}, cells), cells };
      }));
      const bodies = view.audits.map((a, i) => el('tbody', {}, el('tr', { class: 'group' }, groups[i]), rows[i].map((r) => r.tr)));
      $('fairness-table').replaceChildren(el('caption', {}, 'Share of each group targeted, compared with the reference group (80% rule: at least 0.8)'), head, ...bodies);
      const fair = view.fairTargeting.map(() => cell('p'));
      $('fair-option').replaceChildren(...fair);
      fairTable = { key, groups, rows, fair };
    }
    view.audits.forEach((a, i) => {
      setCell(fairTable.groups[i], `${a.attribute} — reference: ${a.referenceGroup ?? 'highest rate'}`);
      a.rows.forEach((r, j) => {
        const { tr, cells } = fairTable.rows[i][j];
        tr.classList.toggle('fail', r.rule80 === 'FAIL');
        setCell(cells[1], num(r.disparateImpact, 3), r.disparateImpact);
        setCell(cells[2], num(r.statisticalParity, 3), r.statisticalParity);
        setCell(cells[3], r.rule80 || '—');
        setCell(cells[4], r.status);
      });
    });
    view.fairTargeting.forEach((f, i) => setCell(fairTable.fair[i], f.summary));
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
          forgetAnswers();
          request();
        } catch (e) {
          showError(e.message);
        }
      });
      return el('label', {}, `Privileged group for ${a.attribute} `, select);
    }));
  }

  /** Milliseconds of the last render's parts (measuring code: bench-page.mjs reads them from the signals). */
  const parts = {};
  const timed = (name, f) => {
    const t = performance.now();
    f();
    parts[name] = performance.now() - t;
    performance.measure(`simulator: ${name}`, { start: t, end: t + parts[name] });
  };

  function render(view) {
    lastView = view;
    // The chart first: a new curve's layer measures its legend with a span in the page, which forces the layout of
    // whatever changed before it in this task (a new KPI or fairness table).
    timed('Chart', () => curve && chart.draw(curve, 'incrementalConversions', view.simulation.share));
    timed('Kpis', () => {
      renderKpis(view.simulation);
      $('headline').textContent = view.simulation.headline;
    });
    timed('Fairness', () => renderFairness(view));
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
    ctx.writeHash({ cost: cost.value, value: value.value, pmin: pmin.value, dnd: dnd.value });
    try {
      const r = await engine.setCampaignParams(params);
      forgetAnswers();
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
    forgetAnswers();
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
    const saved = ctx.savedFor(source);
    if (saved.bmode) ctx.root.querySelector(`input[name="budget-mode"][value="${saved.bmode === 'money' ? 'money' : 'share'}"]`).checked = true;
    setSliderRange();
    if (saved.b) slider.value = saved.b;
    else if (ctx.settings.budget != null && Number.isFinite(Number(ctx.settings.budget))) slider.value = Number(ctx.settings.budget);
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
  for (const r of ctx.root.querySelectorAll('input[name="budget-mode"]')) {
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
