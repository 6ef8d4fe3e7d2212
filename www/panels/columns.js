// Panel 2 — Columns: role pickers pre-filled by detection, arm pickers for the treatment column, the
// validation report in plain words, and the conversion-rate-by-arm chart.
import { clearChart, drawArmChart } from '../charts.js';
import { clearError, el, fmt, showError } from '../ui.js';

const NONE = '';

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ onRoles?: (result: {report: object, armRates: object[]}) => void }} app
 */
export function createColumnsPanel(engine, app = {}) {
  const panel = document.getElementById('columns-panel');
  const pick = {
    treatment: document.getElementById('column-treatment'),
    outcome: document.getElementById('column-outcome'),
    revenue: document.getElementById('column-revenue'),
    id: document.getElementById('column-id'),
    armTreatment: document.getElementById('arm-treatment'),
    armControl: document.getElementById('arm-control'),
  };
  const armsBox = document.getElementById('arms');
  const reportBox = document.getElementById('report');
  const canvas = document.getElementById('arm-chart');
  let summary = null;
  let audit = [];

  const options = (select, values, chosen, blank) => {
    select.replaceChildren(
      ...(blank ? [el('option', { value: NONE }, blank)] : []),
      ...values.map((v) => el('option', { value: v, selected: v === chosen }, v)),
    );
    select.value = chosen ?? NONE;
  };

  const column = (name) => summary.columns.find((c) => c.name === name);

  function fillArms(treatmentValues, controlValue) {
    const c = column(pick.treatment.value);
    const levels = c?.examples ?? [];
    armsBox.hidden = !(c && c.distinct != null && c.distinct >= 2);
    options(pick.armTreatment, levels, treatmentValues.length === 1 ? treatmentValues[0] : NONE, '— choose —');
    options(pick.armControl, levels, controlValue ?? NONE, '— choose —');
  }

  /** Show a new file's columns with the detected roles, and check them right away (resolves when checked). */
  function show(newSummary) {
    summary = newSummary;
    const r = summary.roles;
    audit = r.audit;
    const names = summary.columns.map((c) => c.name);
    options(pick.treatment, names, r.treatment, '— choose —');
    options(pick.outcome, names, r.outcome, '— choose —');
    options(pick.revenue, names, r.revenue, '(none)');
    options(pick.id, names, r.id, '(none)');
    fillArms(r.treatmentValues, r.controlValue);
    panel.hidden = false;
    return apply();
  }

  function roles() {
    const v = (s) => (s.value === NONE ? null : s.value);
    return {
      treatment: pick.treatment.value,
      treatmentValues: v(pick.armTreatment) ? [pick.armTreatment.value] : [],
      controlValue: v(pick.armControl),
      outcome: pick.outcome.value,
      revenue: v(pick.revenue),
      id: v(pick.id),
      audit: audit.filter((a) => ![pick.treatment.value, pick.outcome.value].includes(a)),
    };
  }

  async function apply() {
    clearError();
    try {
      const result = await engine.setRoles(roles());
      renderReport(result.report);
      drawArmChart(canvas, result.armRates);
      app.onRoles?.(result);
    } catch (e) {
      reportBox.replaceChildren();
      clearChart(canvas);
      showError(e.message);
    }
  }

  function renderReport(r) {
    const a = r.arms;
    const rate = (conv, rows) => (rows ? fmt.pct(conv / rows) : '—');
    const notes = r.columns.filter((c) => c.note);
    const parts = [
      el('h3', {}, 'What we found'),
      el('ul', { class: 'facts', dataset: { testid: 'report-facts' } },
        el('li', {}, 'Rows used: ', el('b', { dataset: { testid: 'rows-kept', value: r.rowsKept } }, `${fmt.int(r.rowsKept)} of ${fmt.int(r.rowsRead)}`)),
        el('li', {}, `Treatment “${a.treatmentLabel}”: `, el('b', { dataset: { testid: 'treated-rows', value: a.treatedRows } }, fmt.int(a.treatedRows)),
          ` rows, ${fmt.int(a.treatedConversions)} conversions (${rate(a.treatedConversions, a.treatedRows)})`),
        el('li', {}, `Control “${a.controlLabel}”: `, el('b', { dataset: { testid: 'control-rows', value: a.controlRows } }, fmt.int(a.controlRows)),
          ` rows, ${fmt.int(a.controlConversions)} conversions (${rate(a.controlConversions, a.controlRows)})`)),
      a.setAside.length
        ? el('p', {}, `Set aside (other groups): ${a.setAside.map(([v, n]) => `“${v}” ${fmt.int(n)} rows`).join(', ')}.`)
        : null,
      r.dropped.length
        ? el('ul', {}, r.dropped.map((d) => el('li', {}, `${fmt.int(d.count)} rows skipped: ${d.reason} (first on line ${d.firstLines.join(', ')}).`)))
        : null,
      r.warnings.length ? el('ul', { class: 'warnings', dataset: { testid: 'warnings' } }, r.warnings.map((w) => el('li', {}, w))) : null,
      notes.length
        ? el('details', {}, el('summary', {}, `Notes on ${notes.length} columns`),
          el('ul', {}, notes.map((c) => el('li', {}, `${c.name}: ${c.note}`))))
        : null,
    ];
    reportBox.replaceChildren(...parts.filter(Boolean));
  }

  pick.treatment.addEventListener('change', () => {
    fillArms([], null);
    apply();
  });
  for (const s of [pick.outcome, pick.revenue, pick.id, pick.armTreatment, pick.armControl]) {
    s.addEventListener('change', apply);
  }

  return { show };
}
