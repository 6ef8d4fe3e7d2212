// Where the engine comes from in the normal build (dist/index.html): the .wasm file next to the bundle (fetched
// and compiled once; the compiled module is kept for every worker restart). The worker's script (built by the
// `worker` webpack config) is carried inside this bundle and started from a Blob URL, so a restart (Cancel, a
// crash) needs no network: the page keeps working offline once loaded. The single-file page and the component
// use engine-source-inline.js instead (webpack swaps the module; see webpack.config.js).
import workerSource from '../build/worker-inline.js';

const WASM_URL = new URL('../pkg/uplift_simulator_bg.wasm', import.meta.url);

/** The engine's bytes. */
export async function engineBytes() {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`Could not load the engine (${response.status}). Reload the page.`);
  return response.arrayBuffer();
}

let workerUrl = null;

/** A new engine worker (it receives the compiled module by postMessage). */
export function startWorker() {
  workerUrl ??= URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  return new Worker(workerUrl, { name: 'engine' });
}
