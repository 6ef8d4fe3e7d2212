// Small DOM helpers shared by the panels: element builder, the error box, the status line.
import { savedFor, writeHash } from './state.js';

/** el('td', { class: 'x', dataset: { testid: 'y' } }, 'text', childNode) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c != null) node.append(c instanceof Node ? c : String(c));
  return node;
}

/**
 * Where one app instance lives: the page (root = document) or an <uplift-simulator> (root = its shadow root).
 * Panels find their elements, show errors and status, and leave test signals (`signals.dataset`) through it,
 * never through `document` globals, so several instances on one page share nothing.
 * @param {Document | ShadowRoot} root
 * @param {{signals?: HTMLElement, useHash?: boolean, emit?: (name: string, detail: object) => void, settings?: object}} options
 *   signals: the element whose data-* attributes tell tests what happened (page: <body>);
 *   useHash: keep settings in the URL hash (the page only); emit: events for a host page; settings: initial
 *   learner, budget, cost, value, demoRows.
 */
export function createContext(root, { signals = document.body, useHash = true, emit = () => {}, settings = {} } = {}) {
  const $ = (id) => root.getElementById(id);
  return {
    root,
    $,
    signals,
    useHash,
    emit,
    settings,
    /** Show a failure in plain words; the page stays as it was, so the user can retry. */
    showError(message) {
      const box = $('error');
      box.textContent = message;
      box.hidden = false;
    },
    clearError() {
      const box = $('error');
      box.textContent = '';
      box.hidden = true;
    },
    setStatus(message) {
      $('status').textContent = message;
    },
    /** Settings saved in the URL hash for this source (the page only; {} in a component). */
    savedFor: (source) => (useHash ? savedFor(source) : {}),
    writeHash: (patch) => {
      if (useHash) writeHash(patch);
    },
    /** Count an event in a signal attribute (data-trained="2"). */
    bump(key) {
      signals.dataset[key] = String(Number(signals.dataset[key] || 0) + 1);
    },
  };
}

/**
 * Run `f` and record how long it took as a `performance.measure` entry named `name` (bench-page.mjs matches them
 * with the main thread's long tasks); returns what `f` returns.
 */
export function measured(name, f) {
  const start = performance.now();
  try {
    return f();
  } finally {
    performance.measure(name, { start, end: performance.now() });
  }
}

/**
 * Go on in a task of its own after the browser's next rendering step, so work split by `await nextTask()` never
 * adds up to one long main-thread task, and a chart drawn next finds the page laid out (plotters still measures
 * a legend's text with a span in the page, which would otherwise force the layout of everything changed before
 * it, in the chart's task). A hidden page gets no frames: then after 100 ms.
 */
export function nextTask() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => {
      clearTimeout(timer);
      resolve();
    }, 0));
  });
}

const INT = new Intl.NumberFormat('en-US');

export const fmt = {
  int: (n) => INT.format(Number(n)),
  pct: (x, digits = 2) => `${(100 * x).toFixed(digits)}%`,
  ms: (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`),
};
