// The Promise client of the engine worker. The main thread never touches the data: it sends requests,
// gets plain objects back, and draws. See docs/ARCHITECTURE.md for the protocol.
//
//   main → worker  { type: 'init', module }                          (once per worker; a WebAssembly.Module)
//   main → worker  { id, type, args }                                (a request; type = a handler in worker.js)
//   worker → main  { type: 'ready', version }                        (after init)
//   worker → main  { id, type: 'progress', stage, done?, total? }    (any number, while a request runs)
//   worker → main  { id, type: 'result', value, timing }             (exactly one of result / error per id;
//                                                                     timing: {received, started, done}, see lastTiming)
//   worker → main  { id, type: 'error', message, fatal }             (fatal: the wasm instance is unusable)
//
// Cancel and crash recovery: the worker is terminated and restarted with the same module, and the state
// (the loaded file or demo, the chosen roles) is replayed from what this client remembers. After a crash, the
// requests that were still waiting behind the one that crashed are sent again to the new worker (their promises
// stay pending): a role check sent right after a load, say, must not be lost, or the page would show roles the
// restarted worker does not have. A replayed request that crashes is forgotten (with what depends on it), so a
// restart can never loop.
import { initSync } from '../pkg/uplift_simulator.js';
import { engineBytes, startWorker } from './engine-source.js';

let compiled = null;

/** Load and compile the engine once per page (every instance shares the module); instantiate it on the main
 * thread (for drawing). */
export function compileEngine() {
  compiled ??= (async () => {
    const module = await WebAssembly.compile(await engineBytes());
    initSync({ module });
    return module;
  })().catch((e) => {
    compiled = null;
    throw e;
  });
  return compiled;
}

/** A request that was cancelled by the user (not an error to show). */
export class CancelledError extends Error {
  constructor() {
    super('Stopped: the run was cancelled.');
    this.name = 'CancelledError';
  }
}

/** Requests that change the worker's state, replayed (in this order) after a restart. */
const REPLAYED = ['load', 'setRoles', 'train', 'setCampaignParams'];
/** A new file forgets the roles and the model; new roles forget the model; a new model forgets campaign edits. */
const FORGETS = { load: ['setRoles', 'train', 'setCampaignParams'], setRoles: ['train', 'setCampaignParams'], train: ['setCampaignParams'] };

/** Requests answered in milliseconds: they never show the Cancel button. */
const QUICK = new Set(['simulate', 'simulateMany', 'reviewPage', 'setPrivileged']);

/** A timestamp comparable across the page and its workers (ms since the epoch, sub-millisecond). */
const now = () => performance.timeOrigin + performance.now();

export class Engine {
  /**
   * @param {WebAssembly.Module} module
   * @param {{onRestart?: (reason: string, how: {cancelled: boolean, failed?: boolean}) => void, onBusy?: (busy: boolean) => void}} hooks
   */
  constructor(module, hooks = {}) {
    this.module = module;
    this.hooks = hooks;
    this.nextId = 1;
    this.pending = new Map();
    /** The last successful state-changing requests: { load: {type, args}, setRoles: {type, args} }. */
    this.state = {};
    /** Per request type, where the last answer's time went (see lastTiming). */
    this.timings = {};
    this.#start();
  }

  #start() {
    this.worker = startWorker();
    this.ready = new Promise((resolve) => {
      this.readyResolve = resolve;
    });
    this.worker.onmessage = (e) => {
      // Timed as a performance.measure (bench-page.mjs matches these with long tasks): the continuations of the
      // request's promise run inside this task.
      const start = performance.now();
      this.#onMessage(e.data);
      performance.measure(`worker answer: ${e.data.type}`, { start, end: performance.now() });
    };
    this.started = false;
    this.worker.onerror = (e) => {
      e.preventDefault();
      const reason = `The engine stopped unexpectedly (${e.message || 'worker error'}).`;
      // A worker that fails before it is ready would fail again: report it once instead of restarting forever.
      if (this.started) this.#restart(reason);
      else this.#fail(`${reason} It could not be started; reload the page.`);
    };
    this.worker.postMessage({ type: 'init', module: this.module });
    // Then the privileged group per audited attribute (keys 'setPrivileged:COLUMN'), after the model exists.
    // Replayed requests get ids -1, -2, …: their answers settle nothing, but a crash names the state key to drop.
    const keys = [...REPLAYED, ...Object.keys(this.state).filter((k) => k.startsWith('setPrivileged:'))];
    this.replayed = new Map();
    for (const key of keys) {
      const req = this.state[key];
      if (!req) continue;
      const id = -(this.replayed.size + 1);
      this.replayed.set(id, key);
      this.worker.postMessage({ id, type: req.type, args: req.args });
    }
  }

  /** Forget a state key and what depends on it (FORGETS; privileged groups depend on the model). */
  #forget(key) {
    delete this.state[key];
    for (const k of FORGETS[key] ?? []) delete this.state[k];
    if (key !== 'setCampaignParams' && !key.startsWith('setPrivileged:')) {
      for (const k of Object.keys(this.state)) if (k.startsWith('setPrivileged:')) delete this.state[k];
    }
  }

  #onMessage(msg) {
    if (msg.type === 'ready') {
      this.version = msg.version;
      this.started = true;
      this.readyResolve(msg.version);
      return;
    }
    const p = this.pending.get(msg.id);
    if (msg.type === 'progress') {
      p?.onProgress?.(msg);
      return;
    }
    if (msg.type === 'error' && msg.fatal) {
      // A panic: the instance cannot be trusted any more. Restart, then report the failure of this request. A
      // replayed request that panics would panic again on every restart: forget that state instead.
      if (msg.id < 0 && this.replayed.has(msg.id)) this.#forget(this.replayed.get(msg.id));
      this.#restart(msg.message, msg.id);
    }
    if (!p) return; // replayed request (negative id) or already settled
    this.pending.delete(msg.id);
    this.#busyChanged();
    if (msg.type === 'result') {
      if (msg.timing) {
        const { received, started, done } = msg.timing;
        this.timings[p.type] = { toWorkerMs: received - p.sent, queuedMs: started - received, workMs: done - started, fromWorkerMs: now() - done };
      }
      if (p.remember) {
        this.#forget(p.remember);
        this.state[p.remember] = { type: p.type, args: p.args };
      }
      p.resolve(msg.value);
    } else {
      p.reject(new Error(msg.message));
    }
  }

  /** The worker cannot start: every pending request fails with this message; no restart. */
  #fail(message) {
    this.worker.terminate();
    for (const [id, p] of [...this.pending.entries()]) {
      this.pending.delete(id);
      p.reject(new Error(message));
    }
    this.#busyChanged();
    this.hooks.onRestart?.(message, { cancelled: false, failed: true });
  }

  /**
   * Terminate and restart the worker. After a crash of request `except` (reported by its own message), the requests
   * queued behind it are sent again, in order, after the state's replay; on Cancel (or a crash of unknown cause)
   * every pending request fails.
   */
  #restart(reason, except) {
    this.worker.terminate();
    const resend = except !== undefined && !(reason instanceof CancelledError);
    const failed = resend ? [] : [...this.pending.entries()].filter(([id]) => id !== except);
    for (const [id, p] of failed) {
      this.pending.delete(id);
      p.reject(reason instanceof Error ? reason : new Error(`${reason} It has been restarted; try again.`));
    }
    this.#busyChanged();
    this.#start();
    if (resend) {
      for (const [id, p] of this.pending) if (id !== except) this.worker.postMessage({ id, type: p.type, args: p.args });
    }
    const cancelled = reason instanceof CancelledError;
    this.hooks.onRestart?.(reason instanceof Error ? reason.message : reason, { cancelled });
  }

  /** Busy = a request that may take a while runs (loads, training); quick answers (a slider move) don't count. */
  #busyChanged() {
    this.hooks.onBusy?.([...this.pending.values()].some((p) => !QUICK.has(p.type)));
  }

  /**
   * Send one request; resolves with the worker's answer.
   * @param {string} type  a handler name in worker.js
   * @param {object} args
   * @param {{onProgress?: (msg: object) => void, remember?: string}} options  remember: 'load', 'setRoles', 'train',
   *   'setCampaignParams' or 'setPrivileged:COLUMN' (replayed after a restart, see REPLAYED)
   */
  call(type, args = {}, { onProgress, remember } = {}) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress, remember, type, args, sent: now() });
      this.worker.postMessage({ id, type, args });
      this.#busyChanged();
    });
  }

  /**
   * Where the time of the last answered request of this type went (ms): posting it to the worker, waiting there
   * behind earlier requests, the handler (wasm work + building the answer), and the answer's way back (cloning,
   * the page's event loop). Measuring code for docs/BENCHMARKS.md; undefined before the first answer.
   */
  lastTiming(type) {
    return this.timings[type];
  }

  /** Stop whatever runs: pending requests reject with CancelledError; the loaded data stays. */
  cancel() {
    this.#restart(new CancelledError());
  }

  // ---- the requests the page uses (one line each) -----------------------------------------------------
  /** Read and parse a user file in the worker → TableSummary. */
  loadFile(file, onProgress, limitBytes = null) {
    return this.call('loadCsv', { file, limitBytes }, { onProgress, remember: 'load' });
  }

  /** Generate the demo data in the worker and load it → { summary, generateMs, parseMs }. */
  loadDemo(rows, seed, onProgress) {
    return this.call('loadDemo', { rows, seed }, { onProgress, remember: 'load' });
  }

  /** The demo data as CSV text (for download). */
  demoCsv(rows, seed) {
    return this.call('demoCsv', { rows, seed });
  }

  /** Choose roles → { report, armRates }. */
  setRoles(roles) {
    return this.call('setRoles', { roles }, { remember: 'setRoles' });
  }

  /** Train (a TrainParams object) → { summary, curve, ms }; progress messages carry stage and fraction. */
  train(params, onProgress) {
    return this.call('train', { params }, { onProgress, remember: 'train' });
  }

  /** Skip training: the loaded file's own uplift scores (a TrainParams object; its `run` is unused) → { summary, curve, ms }. */
  useScores(params) {
    return this.call('useScores', { params }, { remember: 'train' });
  }

  /** KPIs, audits and the fairness-aware option at a budget ({kind, value}) → CampaignView. */
  simulate(budget) {
    return this.call('simulate', { budget });
  }

  /** The same for several budgets at once (the slider's positions, fetched ahead of the moves) → CampaignView[]. */
  simulateMany(budgets) {
    return this.call('simulateMany', { budgets });
  }

  /** New costs, values or thresholds (CampaignParams) → { summary, curve }. */
  setCampaignParams(params) {
    return this.call('setCampaignParams', { params }, { remember: 'setCampaignParams' });
  }

  /** Name the privileged group of an audited attribute (null: lowest vs highest rate). */
  setPrivileged(column, group) {
    return this.call('setPrivileged', { column, group }, { remember: `setPrivileged:${column}` });
  }

  /** One page of the review queue (ReviewQuery) → ReviewPage. */
  reviewPage(query) {
    return this.call('reviewPage', { query });
  }

  /** Exports, as text. */
  scoresCsv() {
    return this.call('scoresCsv');
  }

  reviewCsv(flaggedOnly) {
    return this.call('reviewCsv', { flaggedOnly });
  }

  modelCard(budget) {
    return this.call('modelCard', { budget });
  }

  auditJson(budget) {
    return this.call('auditJson', { budget });
  }
}
