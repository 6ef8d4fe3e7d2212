// Panel 1 — Data: file input, drag-and-drop, the demo data (generated in the worker) and its CSV download,
// and the summary of what was read. The file is read and parsed in the worker, never on the main thread.
import { CancelledError } from '../api.js';
import { el, fmt } from '../ui.js';

/** The demo: 200,000 rows unless the context asks for another size (≥ 1,000; `?demoRows=N`, `demo-rows`). */
export function demoSize(asked) {
  const n = Number(asked);
  return { rows: Number.isInteger(n) && n >= 1000 ? n : 200_000, seed: 42 };
}

// Test hooks (end-to-end tests only): `?memoryLimitMb=N` lowers the memory a file may need (default: what a tab can
// use, see src/data/memory.rs); `?testHooks=1` exposes window.upliftTestHooks: panic(kind) (a panic in the worker)
// and memoryBytes() (the worker's wasm memory).
const query = new URLSearchParams(location.search);
const limitMb = Number(query.get('memoryLimitMb'));
const MEMORY_LIMIT = limitMb > 0 ? limitMb * 1024 * 1024 : null;

const STAGES = { reading: 'Reading the file…', parsing: 'Reading the columns…', generating: 'Generating the demo data…' };

/**
 * @param {import('../api.js').Engine} engine
 * @param {{ onLoaded: (summary: object, source: string) => void | Promise<void> }} app
 */
export function createDataPanel(ctx, engine, app) {
  const { showError, clearError, setStatus } = ctx;
  const input = ctx.$('file-input');
  const zone = ctx.$('drop-zone');
  const demoButton = ctx.$('demo-button');
  const download = ctx.$('demo-download');
  const summaryBox = ctx.$('summary');
  const DEMO = demoSize(ctx.settings.demoRows);
  const buttons = [demoButton, download, input];

  const busy = (on) => {
    for (const b of buttons) b.disabled = on;
  };
  const onProgress = (msg) => setStatus(STAGES[msg.stage] || msg.stage);
  if (query.get('testHooks') === '1') {
    window.upliftTestHooks = { panic: (kind) => engine.call('debugPanic', { kind }), memoryBytes: () => engine.call('memoryBytes') };
  }

  async function run(task, source) {
    clearError();
    busy(true);
    try {
      const summary = await task();
      render(summary, source);
      await app.onLoaded(summary, source);
    } catch (e) {
      if (!(e instanceof CancelledError)) {
        showError(e.message);
        setStatus('');
      }
    } finally {
      busy(false);
    }
  }

  function loadFile(file) {
    if (!file) return;
    const t = performance.now();
    return run(async () => {
      const summary = await engine.loadFile(file, onProgress, MEMORY_LIMIT);
      setStatus(`Read “${file.name}” (${fmt.int(file.size)} bytes) in ${fmt.ms(performance.now() - t)}.`);
      return summary;
    }, file.name);
  }

  function loadDemo() {
    return run(async () => {
      const t = performance.now();
      const r = await engine.loadDemo(DEMO.rows, DEMO.seed, onProgress);
      performance.measure('load: demo, click → answer', { start: t });
      // For the benchmarks: where the load's time went, here and in the worker (see worker.js `lastLoad`).
      ctx.signals.dataset.loadParts = JSON.stringify({
        roundTripMs: performance.now() - t, generateMs: r.generateMs, parseMs: r.parseMs, ...r.parts,
      });
      setStatus(
        `Demo data: ${fmt.int(DEMO.rows)} rows generated in ${fmt.ms(r.generateMs)} and read in ${fmt.ms(r.parseMs)}.`,
      );
      return r.summary;
    }, `demo data (${fmt.int(DEMO.rows)} rows, seed ${DEMO.seed})`);
  }

  /** A same-origin CSV by URL (the component's `src`): fetched here, read and parsed in the worker. */
  function loadUrl(url) {
    const name = decodeURIComponent(new URL(url, location.href).pathname.split('/').pop() || url);
    return run(async () => {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`Could not load “${url}” (HTTP ${response.status}). Check the address in the src attribute.`);
      const blob = await response.blob();
      const summary = await engine.loadFile(blob, onProgress);
      setStatus(`Read “${name}” (${fmt.int(blob.size)} bytes).`);
      return summary;
    }, name);
  }

  async function downloadDemo() {
    clearError();
    try {
      const csv = await engine.demoCsv(DEMO.rows, DEMO.seed);
      const url = URL.createObjectURL(new Blob([csv], { type: 'text/csv' }));
      const a = el('a', { href: url, download: `uplift-demo-${DEMO.rows}-seed${DEMO.seed}.csv` });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      showError(e.message);
    }
  }

  function render(summary, source) {
    const cols = summary.columns;
    const role = (name) => {
      const r = summary.roles;
      if (name === r.treatment) return 'treatment';
      if (name === r.outcome) return 'outcome';
      if (name === r.revenue) return 'revenue';
      if (name === r.id) return 'id';
      if (r.audit.includes(name)) return 'audit attribute';
      return 'feature';
    };
    summaryBox.replaceChildren(
      el('ul', { class: 'facts' },
        el('li', {}, 'Source: ', el('b', { dataset: { testid: 'summary-source' } }, source)),
        el('li', {}, 'Rows: ', el('b', { dataset: { testid: 'summary-rows', value: summary.rows } }, fmt.int(summary.rows))),
        el('li', {}, 'Columns: ', el('b', { dataset: { testid: 'summary-columns', value: cols.length } }, cols.length)),
        el('li', {}, 'Separator: ', el('b', {}, summary.delimiter))),
      el('div', { class: 'table-wrap' },
        el('table', { dataset: { testid: 'columns-table' } },
          el('thead', {}, el('tr', {}, ['Column', 'Kind', 'Missing', 'Distinct', 'Examples', 'Detected role'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, cols.map((c) => el('tr', {},
            el('td', {}, c.name),
            el('td', {}, c.kind),
            el('td', {}, fmt.pct(c.missingShare, 1)),
            el('td', {}, c.distinct ?? 'many'),
            el('td', {}, c.examples.slice(0, 5).join(', ')),
            el('td', {}, role(c.name))))))),
    );
    summaryBox.hidden = false;
  }

  input.addEventListener('change', () => {
    loadFile(input.files[0]);
    input.value = ''; // the same file can be chosen again
  });
  demoButton.addEventListener('click', loadDemo);
  download.addEventListener('click', downloadDemo);
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    loadFile(e.dataTransfer.files[0]);
  });

  return { loadDemo, loadFile, loadUrl };
}
