/**
 * Bundles the package for browsers (esbuild, `platform: 'browser'`, so no Node built-in can resolve) and runs the
 * bundle on memory-level in a child Node process: the store itself needs no Node API; the `#classic-level` import
 * has a browser condition, so the classic-level default never enters a browser bundle. browser-level runs the same
 * code on IndexedDB.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The part of esbuild's API used here (esbuild comes with tsx, a root dev dependency; no types here). */
interface Esbuild {
  build(options: {
    stdin: { contents: string; resolveDir: string; loader: 'ts' };
    bundle: true;
    platform: 'browser';
    format: 'esm';
    target: string;
    conditions: string[];
    outfile: string;
    metafile: true;
    logLevel: 'silent';
  }): Promise<{ metafile: { inputs: Record<string, unknown> } }>;
}

async function loadEsbuild(): Promise<Esbuild> {
  const requireFromRoot = createRequire(import.meta.url);
  const requireFromTsx = createRequire(requireFromRoot.resolve('tsx/package.json'));
  return (await import(pathToFileURL(requireFromTsx.resolve('esbuild')).href)) as Esbuild;
}

// Runs in the bundle: a store on memory-level, entries, ranges, blobs and the integrity check.
const ENTRY = `
import { RecordIdentifier, createRecord } from '@docs/entry';
import { LevelStore } from './src/index.ts';
import { MemoryLevel } from 'memory-level';
const namespace = new Uint8Array(32).fill(5);
const store = await LevelStore.open({ db: new MemoryLevel({ storeEncoding: 'view' }) });
const entries = Array.from({ length: 300 }, (_, index) => ({
  entry: {
    id: RecordIdentifier.of(namespace, new Uint8Array(32).fill(index % 3), new TextEncoder().encode('key-' + String(index).padStart(4, '0'))),
    record: createRecord(new Uint8Array(32).fill(1), 1, index + 1),
  },
  signature: { authorSignature: new Uint8Array(64), namespaceSignature: new Uint8Array(64) },
}));
await store.putMany(entries);
const zero = RecordIdentifier.zero().bytes;
const ranges = store.ranges(namespace);
const blob = await store.blobs.put(new Uint8Array(300_000).fill(9));
const result = {
  count: await ranges.count({ x: zero, y: zero }),
  middle: (await ranges.keyAt({ x: zero, y: zero }, 150)).length,
  blob: (await store.blobs.get(blob.hash)).length,
  integrity: (await store.checkIntegrity()).ok,
  plain: Object.getPrototypeOf(await ranges.fingerprint({ x: zero, y: zero })) === Uint8Array.prototype,
  atPath: await LevelStore.open('docs-store').then(() => 'opened', (error) => error.constructor.name),
};
await store.close();
console.log(JSON.stringify(result));
`;

const RUNNER = `
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
globalThis.fetch = async (url) =>
  new Response(readFileSync(fileURLToPath(String(url))), { headers: { 'content-type': 'application/wasm' } });
await import('./store-level.js');
`;

describe('the browser bundle', () => {
  const directory = mkdtempSync(join(tmpdir(), 'docs-store-level-browser-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  test('builds for the browser without Node modules or classic-level, and works on memory-level', async () => {
    const esbuild = await loadEsbuild();
    const build = await esbuild.build({
      stdin: { contents: ENTRY, resolveDir: PACKAGE_ROOT, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      conditions: ['@docs/source'],
      outfile: join(directory, 'store-level.js'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(build.metafile.inputs);
    expect(inputs.some((path) => path.endsWith('src/level-store.ts'))).toBe(true);
    expect(inputs.filter((path) => path.startsWith('node:') || path.includes('node_modules/classic-level'))).toEqual([]);
    expect(inputs.some((path) => path.endsWith('src/platform/classic-level-browser.ts'))).toBe(true);

    // The browser BLAKE3 fetches its WebAssembly next to the bundle.
    const requireFromCrypto = createRequire(join(PACKAGE_ROOT, '../crypto/package.json'));
    const wasm = join(requireFromCrypto.resolve('blake3-wasm/package.json'), '../dist/wasm/web/blake3_js_bg.wasm');
    copyFileSync(wasm, join(directory, 'store-level_bg.wasm'));
    writeFileSync(join(directory, 'run.mjs'), RUNNER);
    const output = execFileSync(process.execPath, [join(directory, 'run.mjs')], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual({ count: 300, middle: 64 + 8, blob: 300_000, integrity: true, plain: true, atPath: 'TypeError' });
  }, 60_000);
});
