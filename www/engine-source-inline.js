// Where the engine comes from in the self-contained builds (dist/uplift-simulator.html opened from file://, and
// the <uplift-simulator> script): the .wasm is inlined once as base64 and decoded here (no fetch), and the
// worker's bundle (built by the `worker` webpack config) is inlined as text and started from a Blob URL.
import wasmDataUrl from '../pkg/uplift_simulator_bg.wasm';
import workerSource from '../build/worker-inline.js';

/** The engine's bytes, decoded from the inlined base64. */
export async function engineBytes() {
  const base64 = wasmDataUrl.slice(wasmDataUrl.indexOf(',') + 1);
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}

let workerUrl = null;

/** A new engine worker from the inlined script (one Blob URL shared by every instance on the page). */
export function startWorker() {
  workerUrl ??= URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
  return new Worker(workerUrl, { name: 'engine' });
}
