// Panel 6 — Review queue: users whose score needs a human look, with the reason; sortable by any column,
// paged in the worker (only one page ever crosses to the page); counts of auto-approved vs flagged.
import { el, fmt, measured } from '../ui.js';

const COLUMNS = [
  ['row', 'Row'], ['uplift', 'Predicted uplift'], ['upliftSe', 'Std. error'], ['pControl', 'Base rate'],
  ['archetype', 'Archetype'], ['reason', 'Reason'],
];
const LIMIT = 25;
const pts = (x) => (x == null ? '—' : `${(100 * x).toFixed(3)} pts`);

/** @param {import('../api.js').Engine} engine */
export function createReviewPanel(ctx, engine) {
  const { showError } = ctx;
  const panel = ctx.$('review-panel');
  const { $ } = ctx;
  const table = $('review-table');
  const flagged = $('review-flagged');
  const query = { sort: 'uplift', descending: true, flaggedOnly: true, offset: 0, limit: LIMIT };
  let total = 0;

  async function load() {
    query.flaggedOnly = flagged.checked;
    try {
      const page = await engine.reviewPage(query);
      total = page.total;
      measured('review: table page', () => render(page));
    } catch (e) {
      showError(e.message);
    }
  }

  function sortBy(key) {
    query.descending = query.sort === key ? !query.descending : key !== 'row';
    query.sort = key;
    query.offset = 0;
    load();
  }

  function render(page) {
    const head = el('tr', {}, COLUMNS.map(([key, name]) => {
      const sorted = query.sort === key;
      const button = el('button', { type: 'button', class: 'sort' }, name, sorted ? (query.descending ? ' ▼' : ' ▲') : '');
      button.addEventListener('click', () => sortBy(key));
      return el('th', { scope: 'col', 'aria-sort': sorted ? (query.descending ? 'descending' : 'ascending') : 'none' }, button);
    }));
    const rows = page.rows.map((r) => el('tr', {},
      el('td', {}, r.row),
      el('td', { dataset: { value: r.uplift } }, pts(r.uplift)),
      el('td', {}, pts(r.upliftSe)),
      el('td', {}, r.pControl == null ? '—' : fmt.pct(r.pControl)),
      el('td', {}, r.archetype.replaceAll('_', ' ')),
      el('td', {}, r.explanation || 'auto-approved')));
    table.replaceChildren(el('thead', {}, head), el('tbody', {}, rows));
    const end = Math.min(page.offset + page.rows.length, total);
    $('review-range').textContent = total ? `${fmt.int(page.offset + 1)}–${fmt.int(end)} of ${fmt.int(total)}` : 'No users to show.';
    $('review-prev').disabled = page.offset === 0;
    $('review-next').disabled = end >= total;
  }

  /** A new campaign: show the counts and the first page. */
  function show(summary) {
    const r = summary.review;
    const reasons = r.byReason.map(([reason, n]) => `${reason.replaceAll('_', ' ')}: ${fmt.int(n)}`).join(', ');
    $('review-counts').replaceChildren(
      el('b', { dataset: { testid: 'review-approved', value: r.users - r.flagged } }, fmt.int(r.users - r.flagged)), ' auto-approved, ',
      el('b', { dataset: { testid: 'review-flagged-count', value: r.flagged } }, fmt.int(r.flagged)), ` flagged for review (${fmt.pct(r.flaggedShare, 1)})`,
      reasons ? ` — ${reasons}.` : '.',
    );
    query.offset = 0;
    panel.hidden = false;
    load();
  }

  flagged.addEventListener('change', () => {
    query.offset = 0;
    load();
  });
  $('review-prev').addEventListener('click', () => {
    query.offset = Math.max(0, query.offset - LIMIT);
    load();
  });
  $('review-next').addEventListener('click', () => {
    query.offset += LIMIT;
    load();
  });

  return { show };
}
