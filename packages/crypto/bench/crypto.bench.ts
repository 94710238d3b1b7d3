/**
 * Benchmarks for @docs/crypto: Ed25519 sign and verify per second on every path (native node:crypto,
 * WebCrypto as a browser would use it, portable noble) in one run, the cost of the strict
 * pre-checks, and BLAKE3 throughput (1 MiB one-shot and streamed) and small-hash rate (100 bytes).
 *
 *   pnpm exec tsx --conditions=@docs/source packages/crypto/bench/crypto.bench.ts [--json out.json] [--quick]
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { blake3, createBlake3, nativeEd25519, portableEd25519, type Ed25519 } from '../src/index.js';
import { passesStrictChecks } from '../src/ed25519-strict.js';
import { publicKeyToSpki, seedToPkcs8 } from '../src/ed25519-der.js';
import { createWebCryptoEd25519 } from '../src/ed25519-webcrypto.js';
import { DEFAULT_KEY_TABLES } from '../src/ed25519-table-verifier.js';
import { SignatureWorkers } from '../src/ed25519-workers.js';

/** One benchmark result: the median of `samples`. */
export interface CryptoBenchRow {
  /** What was measured, e.g. `ed25519 verify`. */
  name: string;
  /** The implementation or variant, e.g. `native (node:crypto)`. */
  variant: string;
  /** `ops/s` or `MB/s` (MB = 2^20 bytes). */
  unit: 'ops/s' | 'MB/s';
  /** Median over the runs, by wall-clock time. */
  median: number;
  /**
   * Median over the runs by the process's CPU time (user + system): the rate per busy core, which
   * stays meaningful when other processes compete for the CPU.
   */
  medianPerCpuSecond: number;
  /** Each run's wall-clock rate. */
  samples: number[];
}

/** One run: the rate by wall-clock time and by CPU time. */
interface Sample {
  wall: number;
  cpu: number;
}

/** Options of {@link runCryptoBench}. */
export interface CryptoBenchOptions {
  /** Runs per measurement (the median is reported). Default 5. */
  runs?: number;
  /** Duration of one run in milliseconds (wall clock). Default 300. */
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

function sample(count: number, wallMilliseconds: number, cpu: NodeJS.CpuUsage): Sample {
  const cpuMilliseconds = (cpu.user + cpu.system) / 1000;
  return { wall: (count * 1000) / wallMilliseconds, cpu: (count * 1000) / cpuMilliseconds };
}

/** Runs `operation` (awaiting each call) in a loop for `milliseconds`; returns its rates. */
async function rate(operation: () => unknown, milliseconds: number): Promise<Sample> {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let batch = 0; batch < 8; batch++) await operation();
    count += 8;
    elapsed = performance.now() - start;
  }
  return sample(count, elapsed, process.cpuUsage(cpuStart));
}

/** Same as {@link rate} for a synchronous operation (no await per call). */
function syncRate(operation: () => unknown, milliseconds: number): Sample {
  let count = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < milliseconds) {
    for (let batch = 0; batch < 64; batch++) operation();
    count += 64;
    elapsed = performance.now() - start;
  }
  return sample(count, elapsed, process.cpuUsage(cpuStart));
}

/**
 * Runs every measurement and returns the rows (and prints a table unless `print: false`).
 */
export async function runCryptoBench(options: CryptoBenchOptions = {}): Promise<CryptoBenchRow[]> {
  const runs = options.runs ?? 5;
  const runMilliseconds = options.runMilliseconds ?? 300;
  const print = options.print ?? true;

  // Every measurement is registered first and then sampled round-robin, run after run, so that all
  // variants see the same machine conditions (other processes, CPU frequency) and compare fairly.
  const cases: { name: string; variant: string; unit: CryptoBenchRow['unit']; run: () => Promise<Sample> | Sample }[] = [];
  function measure(name: string, variant: string, unit: CryptoBenchRow['unit'], run: () => Promise<Sample> | Sample): void {
    cases.push({ name, variant, unit, run });
  }

  const workersToClose: SignatureWorkers[] = [];
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
    measure('ed25519 sign', variant, 'ops/s', () => rate(() => backend.sign(seed, message), runMilliseconds));
  }
  measure('ed25519 sign', 'node:crypto called directly (floor)', 'ops/s', () =>
    rate(() => nodeSign(null, message, rawPrivateKey), runMilliseconds),
  );
  for (const [variant, backend] of backends) {
    measure('ed25519 verify, one key', variant, 'ops/s', () =>
      rate(() => backend.verify(publicKey, message, signature), runMilliseconds),
    );
  }
  measure('ed25519 verify, one key', 'node:crypto called directly (floor)', 'ops/s', () =>
    rate(() => nodeVerify(null, message, rawPublicKey, signature), runMilliseconds),
  );

  // Many authors interleaved: 128 keys in rotation (more than the portable path's 32 tables).
  const signer = native ?? portableEd25519;
  const rotation = await Promise.all(
    Array.from({ length: 128 }, async (_, index) => {
      const keySeed = Uint8Array.from({ length: 32 }, (_, byte) => (index * 31 + byte * 17 + 5) & 0xff);
      return { publicKey: signer.publicKey(keySeed), signature: await signer.sign(keySeed, message) };
    }),
  );
  for (const [variant, backend] of backends) {
    let next = 0;
    measure('ed25519 verify, 128 keys in rotation', variant, 'ops/s', () =>
      rate(() => {
        const entry = rotation[next++ % rotation.length]!;
        return backend.verify(entry.publicKey, message, entry.signature);
      }, runMilliseconds),
    );
  }
  // What a sync verifies: batches of entries signed by one namespace key and a few author keys, on worker threads.
  const batch = Array.from({ length: 1024 }, (_, index) => ({ ...rotation[index % 4]!, message }));
  for (const [variant, keyTables] of [
    ['workers, key tables (default)', DEFAULT_KEY_TABLES],
    ['workers, node:crypto only', 0],
  ] as const) {
    const workers = new SignatureWorkers(undefined, keyTables);
    workersToClose.push(workers);
    measure('ed25519 verify, batches of 1,024 under 4 keys', variant, 'ops/s', async () => {
      let count = 0;
      const cpuStart = process.cpuUsage();
      const start = performance.now();
      while (performance.now() - start < runMilliseconds) {
        await workers.verify(batch);
        count += batch.length;
      }
      return sample(count, performance.now() - start, process.cpuUsage(cpuStart));
    });
  }
  measure('ed25519 strict pre-checks', 'shared (byte comparisons)', 'ops/s', () =>
    syncRate(() => passesStrictChecks(publicKey, signature), runMilliseconds),
  );

  const mebibyte = 1024 * 1024;
  const large = Uint8Array.from({ length: mebibyte }, (_, index) => index % 251);
  const chunkLength = 64 * 1024;
  measure('blake3 1 MiB', 'one-shot', 'MB/s', () => syncRate(() => blake3(large), runMilliseconds));
  measure('blake3 1 MiB', 'streaming (64 KiB updates)', 'MB/s', () =>
    syncRate(() => {
      const hasher = createBlake3();
      for (let offset = 0; offset < large.length; offset += chunkLength) hasher.update(large.subarray(offset, offset + chunkLength));
      return hasher.digest();
    }, runMilliseconds),
  );
  const small = large.subarray(0, 100);
  measure('blake3 100 B', 'one-shot', 'ops/s', () => syncRate(() => blake3(small), runMilliseconds));
  measure('blake3 100 B', 'streaming (one update)', 'ops/s', () =>
    syncRate(() => createBlake3().update(small).digest(), runMilliseconds),
  );

  const samples = cases.map(() => [] as Sample[]);
  try {
    for (const each of cases) await each.run(); // warm-up
    for (let index = 0; index < runs; index++) {
      if (print) process.stderr.write(`  run ${index + 1}/${runs}\n`);
      for (const [caseIndex, each] of cases.entries()) samples[caseIndex]!.push(await each.run());
    }
  } finally {
    await Promise.all(workersToClose.map((workers) => workers.close()));
  }
  const rows: CryptoBenchRow[] = cases.map((each, caseIndex) => ({
    name: each.name,
    variant: each.variant,
    unit: each.unit,
    median: median(samples[caseIndex]!.map((run) => run.wall)),
    medianPerCpuSecond: median(samples[caseIndex]!.map((run) => run.cpu)),
    samples: samples[caseIndex]!.map((run) => run.wall),
  }));

  if (print) printTable(rows);
  if (options.jsonPath !== undefined) {
    writeFileSync(options.jsonPath, `${JSON.stringify({ machine: machineDescription(), runs, runMilliseconds, rows }, null, 2)}\n`);
  }
  return rows;
}

function machineDescription(): string {
  const [oneMinuteLoad] = loadavg();
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}, OpenSSL ${process.versions.openssl}, load average ${oneMinuteLoad?.toFixed(1)} at the end`;
}

function format(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function printTable(rows: CryptoBenchRow[]): void {
  const lines = [
    `@docs/crypto — median of ${rows[0]?.samples.length ?? 0} runs; ${machineDescription()}`,
    '',
    '| measurement | variant | per second (wall clock) | per CPU-second | unit |',
    '|---|---|---:|---:|---|',
    ...rows.map((row) => `| ${row.name} | ${row.variant} | ${format(row.median)} | ${format(row.medianPerCpuSecond)} | ${row.unit} |`),
  ];
  for (const name of ['ed25519 sign', 'ed25519 verify, one key', 'ed25519 verify, 128 keys in rotation']) {
    const native = rows.find((row) => row.name === name && row.variant.startsWith('native (node'));
    const portable = rows.find((row) => row.name === name && row.variant.startsWith('portable'));
    if (native && portable) {
      lines.push('', `${name}: native is ${(native.medianPerCpuSecond / portable.medianPerCpuSecond).toFixed(1)}× portable (per CPU-second)`);
    }
  }
  const batches = rows.filter((row) => row.name.startsWith('ed25519 verify, batches'));
  const [withTables, withoutTables] = [batches.find((row) => row.variant.includes('key tables')), batches.find((row) => row.variant.includes('only'))];
  if (withTables && withoutTables) {
    lines.push('', `batches on workers: key tables are ${(withTables.medianPerCpuSecond / withoutTables.medianPerCpuSecond).toFixed(1)}× node:crypto (per CPU-second)`);
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
