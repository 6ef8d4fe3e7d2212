// Run the gbdt benchmark compiled for wasm32-wasip1 under node's WASI (single-threaded wasm, like the page).
//
//   rustup target add wasm32-wasip1
//   CARGO_TARGET_DIR=target cargo bench --bench gbdt --features bench-forust --target wasm32-wasip1 --no-run
//   node scripts/bench-wasm.mjs target/wasm32-wasip1/release/deps/gbdt-*.wasm
//
// With node 20, pass --single-threaded-gc (`node --single-threaded-gc scripts/bench-wasm.mjs ...`): without it V8's
// concurrent garbage collector crashes now and then while the wasm memory grows (docs/BENCHMARKS.md).
//
// GBDT_BENCH_ROWS / GBDT_BENCH_RUNS / GBDT_BENCH_FORUST / GBDT_BENCH_OBJECTIVE are passed through to the program.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import process from 'node:process';

const path = process.argv[2];
if (!path) {
  console.error('usage: node scripts/bench-wasm.mjs path/to/gbdt.wasm');
  process.exit(2);
}
const env = {};
for (const k of ['GBDT_BENCH_ROWS', 'GBDT_BENCH_RUNS', 'GBDT_BENCH_FORUST', 'GBDT_BENCH_OBJECTIVE']) if (process.env[k]) env[k] = process.env[k];
const wasi = new WASI({ version: 'preview1', args: ['gbdt', '--bench'], env, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(path));
const imports = { wasi_snapshot_preview1: wasi.wasiImport };
// The library also carries the page's wasm-bindgen glue; the benchmark never calls it.
for (const imp of WebAssembly.Module.imports(module)) {
  if (!(imp.module in imports)) {
    imports[imp.module] = new Proxy({}, {
      get: (_, name) => () => { throw new Error(`unexpected call to ${imp.module}.${String(name)}`); },
    });
  }
}
const instance = await WebAssembly.instantiate(module, imports);
const code = wasi.start(instance);
process.exit(code ?? 0);
