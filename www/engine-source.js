// Where the engine comes from in the normal build (dist/index.html): the .wasm file next to the bundle (emitted
// once), and the worker as its own script. The single-file page and the component use engine-source-inline.js
// instead (webpack swaps the module; see webpack.config.js).
const WASM_URL = new URL('../pkg/uplift_simulator_bg.wasm', import.meta.url);

/** The engine's bytes. */
export async function engineBytes() {
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`Could not load the engine (${response.status}). Reload the page.`);
  return response.arrayBuffer();
}

/** A new engine worker (it receives the compiled module by postMessage). */
export function startWorker() {
  return new Worker(new URL('./worker.js', import.meta.url), { name: 'engine' });
}
