/**
 * Benchmarks for @docs/crypto: Ed25519 sign and verify per second on every path (native node:crypto,
 * WebCrypto as a browser would use it, portable noble) in one run, the cost of the strict
 * pre-checks, and BLAKE3 throughput (1 MiB one-shot and streamed) and small-hash rate (100 bytes).
 *
 *   pnpm exec tsx --conditions=@docs/source packages/crypto/bench/crypto.bench.ts [--json out.json] [--quick]
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { blake3, createBlake3, nativeEd25519, portableEd25519, type Ed25519 } from '../src/index.js';
import { passesStrictChecks } from '../src/ed25519-strict.js';
import { publicKeyToSpki, seedToPkcs8 } from '../src/ed25519-der.js';
import { createWebCryptoEd25519 } from '../src/ed25519-webcrypto.js';

/** One benchmark result: the median of `samples`. */
export interface CryptoBenchRow {
  /** What was measured, e.g. `ed25519 verify`. */
  name: string;
  /** The implementation or variant, e.g. `native (node:crypto)`. */
  variant: string;
  /** `ops/s` or `MB/s` (MB = 2^20 bytes). */
  unit: 'ops/s' | 'MB/s';
  /** Median over the runs. */
  median: number;
  /** Each run's rate. */
  samples: number[];
}

/** Options of {@link runCryptoBench}. */
export interface CryptoBenchOptions {
  /** Runs per measurement (the median is reported). Default 5. */
  runs?: number;
  /** Duration of one run in milliseconds. Default 300. */
  runMilliseconds?: number;
  /** Write the rows as JSON to this path. */
  jsonPath?: string;
  /** Print progress and the table (default true). */
  print?: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `operation` in a loop for `milliseconds`; returns operations per second. */
async function rate(operation: () => unknown, milliseconds: number): Promise<number> {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let batch = 0; batch < 8; batch++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

/** Same as {@link rate} for a synchronous operation (no await per call). */
function syncRate(operation: () => unknown, milliseconds: number): number {
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let batch = 0; batch < 64; batch++) operation();
    count += 64;
    elapsed = performance.now() - start;
  }
  return (count * 1000) / elapsed;
}

/**
 * Runs every measurement and returns the rows (and prints a table unless `print: false`).
 */
export async function runCryptoBench(options: CryptoBenchOptions = {}): Promise<CryptoBenchRow[]> {
  const runs = options.runs ?? 5;
  const runMilliseconds = options.runMilliseconds ?? 300;
  const print = options.print ?? true;
  const rows: CryptoBenchRow[] = [];

  async function measure(name: string, variant: string, unit: CryptoBenchRow['unit'], sample: () => Promise<number> | number): Promise<void> {
    await sample(); // warm-up
    const samples: number[] = [];
    for (let run = 0; run < runs; run++) samples.push(await sample());
    rows.push({ name, variant, unit, median: median(samples), samples });
    if (print) process.stderr.write(`  ${name} — ${variant}: ${Math.round(median(samples)).toLocaleString('en-US')} ${unit}\n`);
  }

  const native = nativeEd25519();
  const webCrypto = await createWebCryptoEd25519();
  const backends: [string, Ed25519][] = [];
  if (native !== undefined) backends.push(['native (node:crypto)', native]);
  if (webCrypto !== undefined) backends.push(['native (WebCrypto in Node)', webCrypto]);
  backends.push(['portable (@noble/ed25519)', portableEd25519]);

  // A signed entry is 128 bytes for a 16-byte key; sign and verify that size.
  const seed = Uint8Array.from({ length: 32 }, (_, index) => index * 7 + 1);
  const message = Uint8Array.from({ length: 128 }, (_, index) => index);
  const publicKey = portableEd25519.publicKey(seed);
  const signature = await portableEd25519.sign(seed, message);

  // The floor: node:crypto called directly with ready key objects, no checks, no caches.
  const rawPrivateKey = createPrivateKey({ key: Buffer.from(seedToPkcs8(seed)), format: 'der', type: 'pkcs8' });
  const rawPublicKey = createPublicKey({ key: Buffer.from(publicKeyToSpki(publicKey)), format: 'der', type: 'spki' });

  for (const [variant, backend] of backends) {
    await measure('ed25519 sign', variant, 'ops/s', () => rate(() => backend.sign(seed, message), runMilliseconds));
  }
  await measure('ed25519 sign', 'node:crypto called directly (floor)', 'ops/s', () =>
    rate(() => nodeSign(null, message, rawPrivateKey), runMilliseconds),
  );
  for (const [variant, backend] of backends) {
    await measure('ed25519 verify, one key', variant, 'ops/s', () =>
      rate(() => backend.verify(publicKey, message, signature), runMilliseconds),
    );
  }
  await measure('ed25519 verify, one key', 'node:crypto called directly (floor)', 'ops/s', () =>
    rate(() => nodeVerify(null, message, rawPublicKey, signature), runMilliseconds),
  );

  // Many authors interleaved: 128 keys in rotation (more than the portable path's 64 tables).
  const signer = native ?? portableEd25519;
  const rotation = await Promise.all(
    Array.from({ length: 128 }, async (_, index) => {
      const keySeed = Uint8Array.from({ length: 32 }, (_, byte) => (index * 31 + byte * 17 + 5) & 0xff);
      return { publicKey: signer.publicKey(keySeed), signature: await signer.sign(keySeed, message) };
    }),
  );
  for (const [variant, backend] of backends) {
    let next = 0;
    await measure('ed25519 verify, 128 keys in rotation', variant, 'ops/s', () =>
      rate(() => {
        const entry = rotation[next++ % rotation.length]!;
        return backend.verify(entry.publicKey, message, entry.signature);
      }, runMilliseconds),
    );
  }
  await measure('ed25519 strict pre-checks', 'shared (byte comparisons)', 'ops/s', () =>
    syncRate(() => passesStrictChecks(publicKey, signature), runMilliseconds),
  );

  const mebibyte = 1024 * 1024;
  const large = Uint8Array.from({ length: mebibyte }, (_, index) => index % 251);
  const chunkLength = 64 * 1024;
  await measure('blake3 1 MiB', 'one-shot', 'MB/s', () => syncRate(() => blake3(large), runMilliseconds));
  await measure('blake3 1 MiB', 'streaming (64 KiB updates)', 'MB/s', () =>
    syncRate(() => {
      const hasher = createBlake3();
      for (let offset = 0; offset < large.length; offset += chunkLength) hasher.update(large.subarray(offset, offset + chunkLength));
      return hasher.digest();
    }, runMilliseconds),
  );
  const small = large.subarray(0, 100);
  await measure('blake3 100 B', 'one-shot', 'ops/s', () => syncRate(() => blake3(small), runMilliseconds));
  await measure('blake3 100 B', 'streaming (one update)', 'ops/s', () =>
    syncRate(() => createBlake3().update(small).digest(), runMilliseconds),
  );

  if (print) printTable(rows);
  if (options.jsonPath !== undefined) {
    writeFileSync(options.jsonPath, `${JSON.stringify({ machine: machineDescription(), runs, runMilliseconds, rows }, null, 2)}\n`);
  }
  return rows;
}

function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, OpenSSL ${process.versions.openssl}`;
}

function printTable(rows: CryptoBenchRow[]): void {
  const lines = [
    `@docs/crypto — median of ${rows[0]?.samples.length ?? 0} runs; ${machineDescription()}`,
    '',
    '| measurement | variant | median | unit |',
    '|---|---|---:|---|',
    ...rows.map((row) => `| ${row.name} | ${row.variant} | ${Math.round(row.median).toLocaleString('en-US')} | ${row.unit} |`),
  ];
  for (const name of ['ed25519 sign', 'ed25519 verify, one key', 'ed25519 verify, 128 keys in rotation']) {
    const native = rows.find((row) => row.name === name && row.variant.startsWith('native (node'));
    const portable = rows.find((row) => row.name === name && row.variant.startsWith('portable'));
    if (native && portable) lines.push('', `${name}: native is ${(native.median / portable.median).toFixed(1)}× portable`);
  }
  console.log(lines.join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonIndex = process.argv.indexOf('--json');
  const quick = process.argv.includes('--quick');
  await runCryptoBench({
    ...(jsonIndex > 0 && process.argv[jsonIndex + 1] !== undefined ? { jsonPath: process.argv[jsonIndex + 1]! } : {}),
    ...(quick ? { runs: 3, runMilliseconds: 100 } : {}),
  });
}
