// The page: compile the engine once, start the worker, wire the panels, open with the demo data.
// One module per panel (www/panels/); each talks to the worker through api.js and draws on this thread.
import { compileEngine, Engine } from './api.js';
import { createColumnsPanel } from './panels/columns.js';
import { createDataPanel } from './panels/data.js';
import { createExportPanel } from './panels/export.js';
import { createResultsPanel } from './panels/results.js';
import { createReviewPanel } from './panels/review.js';
import { createSimulatorPanel } from './panels/simulator.js';
import { createTrainPanel } from './panels/train.js';
import { setStatus, showError } from './ui.js';

async function main() {
  setStatus('Starting the engine…');
  const module = await compileEngine();
  const cancel = document.getElementById('cancel-button');
  const engine = new Engine(module, {
    onRestart: (reason, { cancelled }) =>
      cancelled
        ? setStatus('Cancelled. The data loaded before is still there.')
        : showError(`${reason} The engine was restarted; your data is still loaded.`),
    onBusy: (busy) => {
      cancel.hidden = !busy;
    },
  });
  cancel.addEventListener('click', () => engine.cancel());
  document.getElementById('version').textContent = `v${await engine.ready}`;
  let source = null;
  const results = createResultsPanel();
  const review = createReviewPanel(engine);
  const simulator = createSimulatorPanel(engine, {
    onCampaign: (summary) => {
      results.renderCards(summary);
      review.show(summary);
    },
  });
  const exporter = createExportPanel(engine, simulator);
  const train = createTrainPanel(engine, {
    onTrained: async (result) => {
      await results.show(result.summary);
      review.show(result.summary);
      exporter.show();
      await simulator.show(result, source);
    },
  });
  // New roles (or a new file) make earlier results stale: the worker has dropped that model.
  const stale = () => {
    for (const id of ['results-panel', 'simulator-panel', 'review-panel', 'export-panel']) document.getElementById(id).hidden = true;
  };
  const columns = createColumnsPanel(engine, { onRoles: stale });
  let rolesChecked = Promise.resolve();
  const data = createDataPanel(engine, {
    onLoaded: (summary, newSource) => {
      source = newSource;
      rolesChecked = columns.show(summary);
      train.show(summary, newSource);
    },
  });
  await data.loadDemo();
  await rolesChecked; // ready = the demo loaded and its roles checked (nothing left running)
  document.body.dataset.ready = 'true';
}

main().catch((e) => showError(`The page could not start: ${e.message}`));
