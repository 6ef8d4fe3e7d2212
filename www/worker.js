// The engine worker: owns the one wasm Session (the data, later the models). Protocol: see api.js.
// Every handler gets (args, progress) and returns a plain, structured-cloneable value.
import { initSync, Session, checkFileSize, debugPanic, demoCsv, version } from '../pkg/uplift_simulator.js';

let session = null;
/** The instance's linear memory: it only grows, so its size after a run is the run's peak (see memoryBytes). */
let memory = null;
/**
 * Where the last load's time went (ms): reading the file (`fileReadMs`) or generating the demo (`generateMs`), then
 * copying the bytes into wasm memory (`copyMs`: the wasm call's time less what Rust measured; none for the demo,
 * made in wasm), `Table::from_bytes` (`readMs`) and the summary (`summaryMs`).
 */
let lastLoad = null;

function wasmParts(callMs) {
  const { readMs, summaryMs } = session.loadTimings();
  return { copyMs: Math.max(0, callMs - readMs - summaryMs), readMs, summaryMs };
}

/** A performance measure in the worker's timeline (seen in a profile of the worker). */
function measure(name, start, end = performance.now()) {
  performance.measure(name, { start, end });
}

/** The last generated demo CSV, kept so "Download demo CSV" does not generate it twice. */
let demo = null;

function generateDemo(rows, seed) {
  // The seed is a u64 in Rust: a BigInt in JS.
  if (!demo || demo.rows !== rows || demo.seed !== seed) demo = { rows, seed, csv: demoCsv(rows, BigInt(seed)) };
  return demo.csv;
}

const handlers = {
  async loadCsv({ file, limitBytes }, progress) {
    // Before reading: a file that cannot fit in the tab gets the TooBigForTab message (it throws) and is never read.
    checkFileSize(file instanceof Blob ? file.size : file.byteLength, limitBytes ?? undefined);
    progress('reading');
    // The File came by structured clone (no copy of its bytes); they are read here, once, then copied into wasm.
    const t0 = performance.now();
    const bytes = new Uint8Array(file instanceof Blob ? await file.arrayBuffer() : file);
    const t1 = performance.now();
    progress('parsing');
    const summary = session.loadCsv(bytes);
    lastLoad = { fileReadMs: t1 - t0, ...wasmParts(performance.now() - t1) };
    measure('load: read the file', t0, t1);
    measure('load: copy + parse + summary (wasm)', t1);
    return summary;
  },

  loadDemo({ rows, seed }, progress) {
    // Generated and parsed inside wasm: the text never becomes a JS string (decoding then re-encoding 83 MB at 1M
    // rows took 0.4–0.6 s). "Download demo CSV" generates it again (same rows and seed ⇒ same bytes).
    progress('generating');
    const t = performance.now();
    const summary = session.loadDemo(rows, BigInt(seed));
    const callMs = performance.now() - t;
    const { generateMs, readMs, summaryMs } = session.loadTimings();
    lastLoad = { generateMs, copyMs: 0, readMs, summaryMs, otherMs: Math.max(0, callMs - generateMs - readMs - summaryMs) };
    measure('load: generate + parse + summary the demo (wasm)', t);
    return { summary, generateMs, parseMs: callMs - generateMs, parts: lastLoad };
  },

  /** Test hook: the parts of the last load (see `lastLoad`). */
  loadParts() {
    return lastLoad;
  },

  demoCsv({ rows, seed }) {
    return generateDemo(rows, seed);
  },

  setRoles({ roles }) {
    const report = session.setRoles(roles);
    return { report, armRates: session.armRates() };
  },

  // ---- training and decisions (the model stays here; the page gets summaries) ----------------------------
  train({ params }, progress) {
    const t = performance.now();
    const summary = session.train(params, (stage, fraction) => progress(stage, { fraction }));
    return { summary, curve: session.budgetCurve(), ms: performance.now() - t };
  },

  useScores({ params }) {
    const t = performance.now();
    const summary = session.useScores(params);
    return { summary, curve: session.budgetCurve(), ms: performance.now() - t };
  },

  simulate({ budget }) {
    return session.simulate(budget);
  },

  simulateMany({ budgets }) {
    return budgets.map((b) => session.simulate(b));
  },

  setCampaignParams({ params }) {
    const summary = session.setCampaignParams(params);
    return { summary, curve: session.budgetCurve() };
  },

  setPrivileged({ column, group }) {
    session.setPrivileged(column, group ?? undefined);
    return true;
  },

  reviewPage({ query }) {
    return session.reviewPage(query);
  },

  scoresCsv() {
    return session.scoresCsv();
  },

  reviewCsv({ flaggedOnly }) {
    return session.reviewCsv(Boolean(flaggedOnly));
  },

  modelCard({ budget }) {
    return session.modelCard(budget);
  },

  auditJson({ budget }) {
    return session.auditJson(budget);
  },

  /** Test hook (the page never sends it; `?testHooks=1` exposes it): a panic or an allocation failure. */
  debugPanic({ kind }) {
    debugPanic(kind);
  },

  /** Test hook: bytes of wasm memory (its peak so far: wasm memory never shrinks). */
  memoryBytes() {
    return memory.buffer.byteLength;
  },
};

/** A timestamp comparable across the page and its workers (ms since the epoch, sub-millisecond). */
const now = () => performance.timeOrigin + performance.now();

// Requests run one after another, in the order sent (a handler may await, e.g. reading a file).
let queue = Promise.resolve();
self.onmessage = ({ data }) => {
  const received = now();
  queue = queue.then(() => handle(data, received));
};

async function handle(msg, received) {
  if (msg.type === 'init') {
    memory = initSync({ module: msg.module }).memory;
    session = new Session();
    self.postMessage({ type: 'ready', version: version() });
    return;
  }
  const { id, type, args } = msg;
  const progress = (stage, extra = {}) => self.postMessage({ id, type: 'progress', stage, ...extra });
  try {
    const handler = handlers[type];
    if (!handler) throw new Error(`Unknown request “${type}”.`);
    const started = now();
    const value = await handler(args, progress);
    // timing: when the request arrived, started and was answered (the client derives its round trip's parts).
    self.postMessage({ id, type: 'result', value, timing: { received, started, done: now() } });
  } catch (e) {
    // A wasm trap (a Rust panic) leaves the instance unusable: the client restarts this worker.
    const fatal = e instanceof WebAssembly.RuntimeError;
    const message = fatal
      ? `The engine stopped unexpectedly (${e.message}). It has been restarted and your data reloaded; try again.`
      : (e && e.message) || String(e);
    self.postMessage({ id, type: 'error', message, fatal });
  }
}
