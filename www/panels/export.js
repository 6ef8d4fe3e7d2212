// Panel 7 — Export: scored CSV, review-queue CSV, model_card.json and the fairness audit as JSON, written by
// the worker and saved through Blob downloads.
import { download } from '../download.js';
import { clearError, showError } from '../ui.js';

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ budget: () => object }} simulator  the current budget (the audit and model card use it)
 */
export function createExportPanel(engine, simulator) {
  const panel = document.getElementById('export-panel');
  const exports = {
    'export-scores': () => engine.scoresCsv().then((t) => download(t, 'scores.csv', 'text/csv')),
    'export-review': () => engine.reviewCsv(false).then((t) => download(t, 'review_queue.csv', 'text/csv')),
    'export-model-card': () => engine.modelCard(simulator.budget()).then((t) => download(t, 'model_card.json', 'application/json')),
    'export-audit': () => engine.auditJson(simulator.budget()).then((t) => download(t, 'fairness_audit.json', 'application/json')),
  };
  for (const [id, run] of Object.entries(exports)) {
    const button = document.getElementById(id);
    button.addEventListener('click', async () => {
      clearError();
      button.disabled = true;
      try {
        await run();
      } catch (e) {
        showError(e.message);
      } finally {
        button.disabled = false;
      }
    });
  }
  return { show: () => { panel.hidden = false; } };
}
