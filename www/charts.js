// Charts glue: the main thread draws with the wasm instance compiled in api.js (plotters needs an
// HtmlCanvasElement, which a worker does not have). Each function takes plain data from the worker.
import { drawArmRates } from '../pkg/uplift_simulator.js';

/** Conversion rate per arm with 95% intervals. */
export function drawArmChart(canvas, armRates) {
  drawArmRates(canvas, armRates);
}

/** Blank a canvas (when its data is gone). */
export function clearChart(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}
