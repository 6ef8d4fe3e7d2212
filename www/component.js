// <uplift-simulator>: the whole page as a custom element, in a shadow root (the page's CSS inside, nothing leaks
// in or out), with its own worker and wasm Session per element. One script tag: dist/uplift-simulator.js carries
// the engine inlined (see engine-source-inline.js). Attributes (read when the element is connected):
//   src        a same-origin CSV URL to load (default: the demo data generated in the engine)
//   demo-rows  size of the demo data (≥ 1000; default 200,000)
//   learner    auto | x | t | s | dr | blend        budget  share of users targeted at first (0–1)
//   cost       cost per contact                     value   value per conversion
//   height     CSS height of the element (it scrolls inside)   theme  light | dark
//   autotrain  train (or use the file's own scores) as soon as the data is loaded
// Events (bubbling, composed): `scored` {learner, ownScores, rows, counts, qini, auuc, flagged} after training,
// `simulate` {budget, targeted, share, spend, incrementalConversions, incrementalRoas, profit, …} after each budget.
import { mountApp } from './app.js';
import { createContext } from './ui.js';

/* global __APP_CSS__, __APP_HTML__ */
const CSS = __APP_CSS__.replace(':root {', '.app {').replace(/(^|\n)body \{/, '$1.app {');
const HOST_CSS = `
:host { display: block; overflow: auto; }
.app { color-scheme: light; }
:host([theme="dark"]) .app { color-scheme: dark; --ink: #e9ecef; --muted: #adb5bd; --line: #495057; --bg: #212529; }
:host([theme="dark"]) .panel { background: #2b3035; }
:host([theme="dark"]) .headline { background: #1c2b44; }
:host([theme="dark"]) button.secondary { background: #2b3035; }
`;

let sheet = null;

export class UpliftSimulatorElement extends HTMLElement {
  static observedAttributes = ['height'];

  connectedCallback() {
    if (this.shadowRoot) return;
    const root = this.attachShadow({ mode: 'open' });
    // A constructed stylesheet: the page's CSS stays inside this shadow root, and a host CSP needs no
    // style-src 'unsafe-inline' for it.
    sheet ??= new CSSStyleSheet();
    if (!sheet.cssRules.length) sheet.replaceSync(CSS + HOST_CSS);
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = `<div class="app" part="app">${__APP_HTML__}</div>`;
    this.#height();
    const attr = (name) => this.getAttribute(name);
    const ctx = createContext(root, {
      signals: this,
      useHash: false,
      emit: (name, detail) => this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true, composed: true })),
      settings: {
        demoRows: attr('demo-rows'), learner: attr('learner'), budget: attr('budget'), cost: attr('cost'), value: attr('value'),
      },
    });
    /** Resolves once the first data is loaded (and trained, with `autotrain`). */
    this.ready = mountApp(ctx, { src: attr('src') || undefined, autotrain: this.hasAttribute('autotrain') })
      .catch((e) => ctx.showError(`The simulator could not start: ${e.message}`));
  }

  attributeChangedCallback() {
    this.#height();
  }

  #height() {
    const h = this.getAttribute('height');
    this.style.height = h ? (/^\d+$/.test(h) ? `${h}px` : h) : '';
  }
}

if (!customElements.get('uplift-simulator')) customElements.define('uplift-simulator', UpliftSimulatorElement);
