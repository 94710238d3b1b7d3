/**
 * Bundles the package for browsers (esbuild, `platform: 'browser'`: no Node built-ins can resolve) and
 * runs the bundle in a child Node process with only web APIs in use: WebAssembly for BLAKE3 (fetched
 * through a `fetch` that reads file URLs) and `crypto.subtle` for Ed25519. A browser test proper comes
 * with the browser example; this one keeps the browser platform module honest in the meantime.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readVectors, type Blake3Vectors, type Rfc8032Vector, type Zip215Vector } from './vectors.js';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The part of esbuild's API used here (esbuild is not a dependency of this package, hence no types). */
interface Esbuild {
  build(options: {
    entryPoints: string[];
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

/** esbuild, as installed for tsx (a root dev dependency). */
async function loadEsbuild(): Promise<Esbuild> {
  const requireFromRoot = createRequire(import.meta.url);
  const requireFromTsx = createRequire(requireFromRoot.resolve('tsx/package.json'));
  return (await import(pathToFileURL(requireFromTsx.resolve('esbuild')).href)) as Esbuild;
}

const RUNNER = `
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
globalThis.fetch = async (url) =>
  new Response(readFileSync(fileURLToPath(String(url))), { headers: { 'content-type': 'application/wasm' } });
// Counts the modules compiled with WebAssembly.compile once the bundle is loaded (with blake3-wasm's): the key tables'.
const compile = WebAssembly.compile;
let compiled = 0;
WebAssembly.compile = (bytes) => (compiled++, compile(bytes));
const crypto = await import('./crypto.js');
compiled = 0;
const input = JSON.parse(readFileSync(new URL('./input.json', import.meta.url), 'utf8'));
const hex = (text) => Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
const backend = crypto.defaultEd25519();
const result = {
  backend: backend.name,
  rfc8032: [],
  zip215Accepted: 0,
  blake3: crypto.bytesToHex(crypto.blake3(Uint8Array.from({ length: input.blake3Length }, (_, i) => i % 251), 64)),
  plain: Object.getPrototypeOf(crypto.blake3(new Uint8Array(1))) === Uint8Array.prototype,
};
for (const vector of input.rfc8032) {
  const author = crypto.Author.fromBytes(hex(vector.priv));
  const signature = await author.sign(hex(vector.msg));
  result.rfc8032.push({
    id: crypto.idToString(author.id),
    signature: crypto.bytesToHex(signature),
    valid: await crypto.verify(hex(vector.pub), hex(vector.msg), hex(vector.sig)),
  });
}
// Batches that give each key a table: every RFC 8032 vector 32 times, and a copy with its message changed.
const batch = input.rfc8032.flatMap((vector) => {
  const check = { publicKey: hex(vector.pub), message: hex(vector.msg), signature: hex(vector.sig) };
  return Array.from({ length: 32 }, () => [check, { ...check, message: Uint8Array.of(...check.message, 1) }]).flat();
});
result.tables = (await backend.verifyMany(batch)).map((valid) => (valid ? 1 : 0)).join('');
result.tablesCompiled = compiled;
for (const vector of input.zip215) {
  if (await crypto.verify(hex(vector.vk_bytes), new TextEncoder().encode('Zcash'), hex(vector.sig_bytes))) result.zip215Accepted++;
}
console.log(JSON.stringify(result));
`;

describe('the browser bundle', () => {
  const directory = mkdtempSync(join(tmpdir(), 'docs-crypto-browser-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('builds for the browser without any Node module and works on web APIs alone', async () => {
    const esbuild = await loadEsbuild();
    const build = await esbuild.build({
      entryPoints: [join(PACKAGE_ROOT, 'src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      target: 'es2022',
      conditions: ['@docs/source'],
      outfile: join(directory, 'crypto.js'),
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(build.metafile.inputs);
    expect(inputs.some((path) => path.endsWith('src/platform/browser.ts'))).toBe(true);
    const nodeOnly = ['src/platform/node.ts', 'src/ed25519-node.ts', 'src/ed25519-workers.ts'];
    expect(inputs.filter((path) => nodeOnly.some((module) => path.endsWith(module)))).toEqual([]);

    // blake3-wasm fetches its WebAssembly next to the module: <bundle>_bg.wasm.
    copyFileSync(join(PACKAGE_ROOT, 'node_modules/blake3-wasm/dist/wasm/web/blake3_js_bg.wasm'), join(directory, 'crypto_bg.wasm'));
    const rfc8032 = readVectors<Rfc8032Vector[]>('ed25519-rfc8032.json');
    const zip215 = readVectors<Zip215Vector[]>('ed25519-zip215.json');
    const blake3Case = readVectors<Blake3Vectors>('blake3.json').cases.at(-1)!;
    writeFileSync(join(directory, 'input.json'), JSON.stringify({ rfc8032, zip215, blake3Length: blake3Case.input_len }));
    writeFileSync(join(directory, 'run.mjs'), RUNNER);

    const output = execFileSync(process.execPath, [join(directory, 'run.mjs')], { encoding: 'utf8' });
    const result = JSON.parse(output) as {
      backend: string;
      rfc8032: { id: string; signature: string; valid: boolean }[];
      zip215Accepted: number;
      blake3: string;
      plain: boolean;
      tables: string;
      tablesCompiled: number;
    };
    expect(result.backend).toBe('native'); // WebCrypto Ed25519 passed the probe
    expect(result.rfc8032).toEqual(rfc8032.map((vector) => ({ id: vector.pub, signature: vector.sig, valid: true })));
    expect(result.zip215Accepted).toBe(0);
    expect(result.tables).toBe('10'.repeat(32 * rfc8032.length));
    expect(result.tablesCompiled).toBe(1);
    expect(result.blake3).toBe(blake3Case.hash.slice(0, 128));
    expect(result.plain).toBe(true);
  });
});
