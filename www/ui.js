// Small DOM helpers shared by the panels: element builder, the error box, the status line.

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

const errorBox = () => document.getElementById('error');

/** Show a failure in plain words; the page stays as it was, so the user can retry. */
export function showError(message) {
  const box = errorBox();
  box.textContent = message;
  box.hidden = false;
}

export function clearError() {
  const box = errorBox();
  box.textContent = '';
  box.hidden = true;
}

export function setStatus(message) {
  document.getElementById('status').textContent = message;
}

export const fmt = {
  int: (n) => Number(n).toLocaleString('en-US'),
  pct: (x, digits = 2) => `${(100 * x).toFixed(digits)}%`,
  ms: (ms) => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`),
};
