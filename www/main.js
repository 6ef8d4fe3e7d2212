// The page: compile the engine once, start the worker, wire the panels, open with the demo data.
// One module per panel (www/panels/); later panels (training, results, simulator) plug in the same way.
import { compileEngine, Engine } from './api.js';
import { createColumnsPanel } from './panels/columns.js';
import { createDataPanel } from './panels/data.js';
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
  const columns = createColumnsPanel(engine);
  const data = createDataPanel(engine, { onLoaded: (summary) => columns.show(summary) });
  await data.loadDemo();
  document.body.dataset.ready = 'true';
}

main().catch((e) => showError(`The page could not start: ${e.message}`));
