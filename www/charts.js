// Charts glue: the main thread draws with the wasm instance compiled in api.js (plotters needs an
// HtmlCanvasElement, which a worker does not have). Each function takes plain data from the worker.
import {
  drawArmRates, drawBudgetCurve, drawCalibration, drawDeciles, drawQini, drawUpliftHistogram,
} from '../pkg/uplift_simulator.js';

/** Conversion rate per arm with 95% intervals. */
export function drawArmChart(canvas, armRates) {
  drawArmRates(canvas, armRates);
}

/** The Results panel's charts from a training summary, as one function per chart (the caller spreads them). */
export function drawResultCharts(canvases, summary) {
  return [
    () => drawQini(canvases.qini, summary.metrics, summary.responseMetrics, summary.band),
    () => drawDeciles(canvases.deciles, summary.metrics.bins),
    () => drawCalibration(canvases.calibration, summary.calibration),
  ];
}

/** τ̂ histogram coloured by archetype. */
export function drawHistogram(canvas, histogram) {
  drawUpliftHistogram(canvas, histogram);
}

/** A KPI over the budget range with the current share marked. */
export function drawBudgetChart(canvas, curve, kpi, share) {
  drawBudgetCurve(canvas, curve, kpi, share);
}

/** Blank a canvas (when its data is gone). */
export function clearChart(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}
