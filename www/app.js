// One app instance: compile-once engine, its own worker and Session, the panels wired together. The page mounts
// it on `document` (main.js); each <uplift-simulator> mounts its own on its shadow root (component.js).
import { compileEngine, Engine } from './api.js';
import { measured, nextTask } from './ui.js';
import { createColumnsPanel } from './panels/columns.js';
import { createDataPanel } from './panels/data.js';
import { createExportPanel } from './panels/export.js';
import { createResultsPanel } from './panels/results.js';
import { createReviewPanel } from './panels/review.js';
import { createSimulatorPanel } from './panels/simulator.js';
import { createTrainPanel } from './panels/train.js';

/**
 * Start the engine and wire the panels into `ctx.root` (see ui.js createContext).
 * @param {ReturnType<import('./ui.js').createContext>} ctx
 * @param {{ src?: string, autotrain?: boolean }} start  src: load this CSV URL instead of the demo;
 *   autotrain: train (or use the file's own scores) as soon as the data is loaded
 * @returns {Promise<{engine: Engine, train: () => Promise<void>}>} once the first data is loaded and checked
 */
export async function mountApp(ctx, { src, autotrain = false } = {}) {
  const { $, setStatus, showError } = ctx;
  setStatus('Starting the engine…');
  const module = await compileEngine();
  const cancel = $('cancel-button');
  const engine = new Engine(module, {
    onRestart: (reason, { cancelled, failed }) => {
      if (cancelled) setStatus('Cancelled. The data loaded before is still there.');
      else if (failed) showError(reason);
      else showError(`${reason} The engine was restarted; your data is still loaded.`);
    },
    onBusy: (busy) => {
      cancel.hidden = !busy;
    },
  });
  cancel.addEventListener('click', () => engine.cancel());
  $('version').textContent = `v${await engine.ready}`;
  let source = null;
  const results = createResultsPanel(ctx);
  const review = createReviewPanel(ctx, engine);
  const simulator = createSimulatorPanel(ctx, engine, {
    onCampaign: (summary) => {
      results.renderCards(summary);
      review.show(summary);
    },
  });
  const exporter = createExportPanel(ctx, engine, simulator);
  const train = createTrainPanel(ctx, engine, {
    onTrained: async (result) => {
      // Panel by panel, each in a task of its own (no long main-thread task between the Train click and the results).
      await results.show(result.summary);
      await nextTask();
      measured('review: counts', () => review.show(result.summary));
      await nextTask();
      measured('export: show', () => exporter.show());
      await nextTask();
      await measured('simulator: show', () => simulator.show(result, source));
    },
  });
  // New roles (or a new file) make earlier results stale: the worker has dropped that model.
  const stale = () => {
    for (const id of ['results-panel', 'simulator-panel', 'review-panel', 'export-panel']) $(id).hidden = true;
  };
  const columns = createColumnsPanel(ctx, engine, { onRoles: stale });
  let rolesChecked = Promise.resolve();
  const data = createDataPanel(ctx, engine, {
    onLoaded: (summary, newSource) => {
      source = newSource;
      rolesChecked = columns.show(summary);
      train.show(summary, newSource);
    },
  });
  if (src) await data.loadUrl(src);
  else await data.loadDemo();
  await rolesChecked; // ready = the first data loaded and its roles checked (nothing left running)
  ctx.signals.dataset.ready = 'true';
  if (autotrain) {
    const byo = !$('byo').hidden;
    await (byo ? $('use-scores-button').click() : train.train());
  }
  return { engine, train: train.train };
}
