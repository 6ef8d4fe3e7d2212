// Charts glue: the main thread draws with the wasm instance compiled in api.js (plotters needs an
// HtmlCanvasElement, which a worker does not have). Each function takes plain data from the worker.
import {
  drawArmRates, drawBudgetLayer, drawBudgetMarker, drawCalibration, drawDeciles, drawQini, drawUpliftHistogram,
} from '../pkg/uplift_simulator.js';

/** Conversion rate per arm with 95% intervals. */
export function drawArmChart(canvas, armRates) {
  drawArmRates(canvas, armRates);
}

/** The Results panel's charts from a training summary, as [name, draw] per chart (the caller spreads them). */
export function drawResultCharts(canvases, summary) {
  return [
    ['qini', () => drawQini(canvases.qini, summary.metrics, summary.responseMetrics, summary.band)],
    ['deciles', () => drawDeciles(canvases.deciles, summary.metrics.bins)],
    ['calibration', () => (summary.calibration ? drawCalibration(canvases.calibration, summary.calibration) : clearChart(canvases.calibration))],
  ];
}

/** τ̂ histogram coloured by archetype. */
export function drawHistogram(canvas, histogram) {
  drawUpliftHistogram(canvas, histogram);
}

/**
 * The budget chart of one canvas: a KPI over the budget range with the current share marked. The curves, axes and
 * legend are drawn once per curve into an offscreen layer (plotters measures each label through the DOM, which
 * forces a layout per label); a slider move then copies the layer and draws only the marker (no text measured).
 * @param {HTMLCanvasElement} canvas
 */
export function budgetChart(canvas) {
  let layer = null;
  return {
    /** Draw `kpi` of `curve` (a BudgetCurve from the worker; a new object = a new curve) and mark `share` (0–1). */
    draw(curve, kpi, share) {
      const { width, height } = canvas;
      if (!layer || layer.curve !== curve || layer.kpi !== kpi || layer.width !== width || layer.height !== height) {
        const offscreen = canvas.ownerDocument.createElement('canvas');
        Object.assign(offscreen, { width, height });
        layer = { curve, kpi, width, height, canvas: offscreen, frame: drawBudgetLayer(offscreen, curve, kpi) };
      }
      canvas.getContext('2d').drawImage(layer.canvas, 0, 0);
      if (layer.frame && Number.isFinite(share)) drawBudgetMarker(canvas, layer.frame, share);
    },
  };
}

/** Blank a canvas (when its data is gone). */
export function clearChart(canvas) {
  canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
}
