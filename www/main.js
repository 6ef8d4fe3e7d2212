// The page: one app instance mounted on the document, settings from the address (`?demoRows=N` makes the demo
// smaller; the end-to-end tests use it). The app itself is app.js; the panels are in www/panels/.
import { mountApp } from './app.js';
import { createContext } from './ui.js';

const ctx = createContext(document, {
  signals: document.body,
  useHash: true,
  settings: { demoRows: new URLSearchParams(location.search).get('demoRows') },
});
mountApp(ctx).catch((e) => ctx.showError(`The page could not start: ${e.message}`));
