// The page: www/ + the wasm-bindgen output in pkg/ (built by scripts/build.sh) → dist/.
//
// The .wasm is emitted ONCE as a file: api.js compiles it on the main thread and posts the compiled
// WebAssembly.Module to the worker (wasm-bindgen `--target web --omit-default-module-path`, so the
// generated glue carries no second reference to it).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import webpack from 'webpack';

const here = path.dirname(fileURLToPath(import.meta.url));
const www = path.join(here, 'www');

/** Copies the plain stylesheet next to index.html (no CSS loader needed; the CSP allows style-src 'self'). */
class EmitStylesheet {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('EmitStylesheet', (compilation) => {
      compilation.hooks.processAssets.tap(
        { name: 'EmitStylesheet', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL },
        () => {
          const file = path.join(www, 'style.css');
          compilation.fileDependencies.add(file);
          compilation.emitAsset('style.css', new webpack.sources.RawSource(fs.readFileSync(file)));
        },
      );
    });
  }
}

export default (env, argv) => ({
  mode: argv.mode || 'production',
  entry: path.join(www, 'main.js'),
  output: {
    path: path.join(here, 'dist'),
    filename: '[name].[contenthash:8].js',
    chunkFilename: '[name].[contenthash:8].js',
    assetModuleFilename: '[name].[contenthash:8][ext]',
    clean: true,
  },
  devtool: false,
  module: {
    rules: [{ test: /\.wasm$/, type: 'asset/resource' }],
  },
  plugins: [
    new HtmlWebpackPlugin({
      template: path.join(www, 'index.html'),
      scriptLoading: 'module',
      inject: 'body',
    }),
    new EmitStylesheet(),
  ],
  performance: { hints: false },
  stats: 'errors-warnings',
});
