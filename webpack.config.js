// Four builds over www/ + the wasm-bindgen output in pkg/ (built by scripts/build.sh), run in this order:
//
//   worker     build/worker-inline.js: the worker as one classic script; every build below carries it as text
//              and starts it from a Blob URL (a worker restart then needs no network).
//   page       dist/index.html + main.*.js + the .wasm (emitted ONCE as a file: api.js compiles it on the main
//              thread and posts the compiled WebAssembly.Module to the worker; wasm-bindgen `--target web
//              --omit-default-module-path`, so the glue has no second reference) + style.css +
//              embed-example.* (copied as they are).
//   single     dist/uplift-simulator.html: one file that works from file:// with the network off — the .wasm
//              inlined once (base64), the worker inlined as text and started from a Blob URL, the script and
//              the CSS inlined (html-inline-script-webpack-plugin). TOOLCHAIN.md's recipe.
//   component  dist/uplift-simulator.js: the <uplift-simulator> custom element, self-contained the same way.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HtmlInlineScriptPlugin from 'html-inline-script-webpack-plugin';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const www = path.join(here, 'www');
const dist = path.join(here, 'dist');
const read = (file) => fs.readFileSync(path.join(www, file), 'utf8');

/** Copies plain files next to index.html (no CSS loader needed; the CSP allows style-src 'self'). */
class EmitFiles {
  constructor(files) {
    this.files = files;
  }

  apply(compiler) {
    compiler.hooks.thisCompilation.tap('EmitFiles', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'EmitFiles', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          for (const name of this.files) {
            const file = path.join(www, name);
            compilation.fileDependencies.add(file);
            compilation.emitAsset(name, new webpack.sources.RawSource(fs.readFileSync(file)));
          }
        },
      );
    });
  }
}

/** The app's markup: what is between <body> and </body> in index.html. */
function appHtml() {
  const html = read('index.html');
  return html.slice(html.indexOf('<body>') + '<body>'.length, html.indexOf('</body>'));
}

/** index.html for the single file: the stylesheet inlined, and a CSP for a page with no origin (file://):
 * inline script and style, wasm compile, workers from Blob URLs only, and no network at all (connect-src 'none'). */
function singleHtml() {
  const csp = "default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; worker-src blob:; connect-src 'none'; "
    + "style-src 'unsafe-inline'; img-src data: blob:; font-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'";
  return read('index.html')
    .replace(/(http-equiv="Content-Security-Policy"\s+content=")[^"]*"/, `$1${csp}"`)
    .replace('<link rel="stylesheet" href="style.css">', () => `<style>\n${read('style.css')}</style>`);
}

/** Builds with the engine inlined: swap engine-source.js for engine-source-inline.js. */
const inlineEngine = {
  plugins: [
    new webpack.NormalModuleReplacementPlugin(/[\\/]engine-source\.js$/, (resource) => {
      resource.request = resource.request.replace(/engine-source\.js$/, 'engine-source-inline.js');
    }),
  ],
  rules: [
    { test: /\.wasm$/, type: 'asset/inline' },
    { test: /worker-inline\.js$/, type: 'asset/source' },
  ],
};

const common = (argv) => ({
  mode: argv.mode || 'production',
  devtool: false,
  performance: { hints: false },
  stats: 'errors-warnings',
});

export default (env, argv) => [
  {
    ...common(argv),
    name: 'page',
    dependencies: ['worker'],
    entry: path.join(www, 'main.js'),
    output: {
      path: dist,
      filename: '[name].[contenthash:8].js',
      chunkFilename: '[name].[contenthash:8].js',
      assetModuleFilename: '[name].[contenthash:8][ext]',
      clean: true,
    },
    module: {
      rules: [
        { test: /\.wasm$/, type: 'asset/resource' },
        { test: /worker-inline\.js$/, type: 'asset/source' },
      ],
    },
    plugins: [
      new HtmlWebpackPlugin({ template: path.join(www, 'index.html'), scriptLoading: 'module', inject: 'body' }),
      new EmitFiles(['style.css', 'embed-example.html', 'embed-example.js', 'embed-example.css']),
    ],
  },
  {
    ...common(argv),
    name: 'worker',
    target: 'webworker',
    entry: path.join(www, 'worker.js'),
    output: { path: path.join(here, 'build'), filename: 'worker-inline.js', clean: true },
  },
  {
    ...common(argv),
    name: 'single',
    dependencies: ['page', 'worker'],
    entry: path.join(www, 'main.js'),
    output: { path: dist, filename: 'uplift-simulator-single.js', clean: false },
    module: { rules: inlineEngine.rules },
    optimization: { splitChunks: false },
    plugins: [
      ...inlineEngine.plugins,
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new HtmlWebpackPlugin({ templateContent: singleHtml, filename: 'uplift-simulator.html', inject: 'body', scriptLoading: 'blocking' }),
      new HtmlInlineScriptPlugin(),
    ],
  },
  {
    ...common(argv),
    name: 'component',
    dependencies: ['page', 'worker'],
    entry: path.join(www, 'component.js'),
    output: { path: dist, filename: 'uplift-simulator.js', clean: false },
    module: { rules: inlineEngine.rules },
    plugins: [
      ...inlineEngine.plugins,
      new webpack.optimize.LimitChunkCountPlugin({ maxChunks: 1 }),
      new webpack.DefinePlugin({ __APP_CSS__: JSON.stringify(read('style.css')), __APP_HTML__: JSON.stringify(appHtml()) }),
    ],
  },
];
