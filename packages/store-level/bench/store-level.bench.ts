import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RecordIdentifier, createRecord, type SignedEntry } from '@docs/entry';
import type { Range } from '@docs/rbsr';
import type { DocsStore } from '@docs/store';
import { LevelStore } from '@docs/store-level';
import { MemoryStore } from '@docs/store-memory';
import { MemoryLevel } from 'memory-level';
import { SeededRandom } from '@docs/store/conformance';

/** One backend at one size. Rates are entries per second; latencies are milliseconds. */
export interface StoreLevelBenchRow {
  readonly backend: string;
  readonly entries: number;
  /** Bulk load with `putMany` batches of {@link BATCH} entries. */
  readonly batchedInsertsPerSecond: number;
  /** Single `put` calls into the loaded store, each awaited (median of the runs). */
  readonly singleInsertsPerSecond: number;
  /** Range fingerprint over random ranges of the loaded store: median and 99th percentile. */
  readonly fingerprintMedianMs: number;
  readonly fingerprintP99Ms: number;
  /** Fingerprint of the whole namespace. */
  readonly wholeFingerprintMs: number;
  /** Opening the closed store (median of the runs); undefined for in-memory backends. */
  readonly openMs: number | undefined;
  /** The first fingerprint after opening (loads the namespace's aggregate nodes). */
  readonly firstFingerprintAfterOpenMs: number | undefined;
  /** Size of the database directory after close, per entry. */
  readonly diskBytesPerEntry: number | undefined;
}

/** Another store to measure in the same run (e.g. `@docs/store-memory`'s `MemoryStore`). */
export interface ComparedBackend {
  readonly name: string;
  create(): DocsStore | Promise<DocsStore>;
}

/** Options of {@link runStoreLevelBench}. */
export interface StoreLevelBenchOptions {
  /** Store sizes (default 10,000 and 100,000; add 1,000,000 for the full table). */
  readonly sizes?: readonly number[];
  /** Runs for single inserts and open; the median is reported (default 3). */
  readonly runs?: number;
  /** Random ranges fingerprinted per size (default 500). */
  readonly ranges?: number;
  /** More backends beside classic-level and memory-level. */
  readonly compareWith?: readonly ComparedBackend[];
  /** Writes the rows (and the machine) as JSON here. */
  readonly jsonPath?: string;
  /** Prints the table (default true). */
  readonly print?: boolean;
}

/** Entries per bulk-load batch. */
const BATCH = 1_000;
/** Single puts per run. */
const SINGLE_PUTS = 500;
const AUTHORS = 16;
const NO_SIGNATURE = new Uint8Array(64);
const encoder = new TextEncoder();

/**
 * Measures `@docs/store-level` on classic-level (disk) and on memory-level, and any backends passed in, at each size:
 * bulk and single insert rates, range fingerprint latency, open time and disk bytes per entry. Entries carry zero
 * signatures (signatures are not part of the fingerprint and the store does not verify them).
 */
export async function runStoreLevelBench(options: StoreLevelBenchOptions = {}): Promise<StoreLevelBenchRow[]> {
  const sizes = options.sizes ?? [10_000, 100_000];
  const runs = options.runs ?? 3;
  const rangeCount = options.ranges ?? 500;
  const rows: StoreLevelBenchRow[] = [];
  for (const size of sizes) {
    const directory = mkdtempSync(join(tmpdir(), 'docs-store-level-bench-'));
    try {
      rows.push(await measure('store-level (classic-level)', size, runs, rangeCount, () => LevelStore.open(directory), directory));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
    const memory = new MemoryLevel();
    rows.push(await measure('store-level (memory-level)', size, runs, rangeCount, () => LevelStore.open({ db: memory })));
    for (const backend of options.compareWith ?? []) {
      rows.push(await measure(backend.name, size, runs, rangeCount, async () => backend.create()));
    }
  }
  if (options.print !== false) printTable(rows, runs);
  if (options.jsonPath !== undefined) {
    writeFileSync(options.jsonPath, `${JSON.stringify({ machine: machineDescription(), rows }, null, 2)}\n`);
  }
  return rows;
}

async function measure(
  backend: string,
  size: number,
  runs: number,
  rangeCount: number,
  open: () => Promise<DocsStore>,
  directory?: string,
): Promise<StoreLevelBenchRow> {
  const namespace = idBytes(0xaa);
  const authors = Array.from({ length: AUTHORS }, (_, index) => idBytes(index));
  let store = await open();

  // Bulk load in a scattered order (a stride through the indices), as sync would deliver entries.
  const stride = largestCoprimeBelow(size);
  let started = performance.now();
  for (let offset = 0; offset < size; offset += BATCH) {
    const batch: SignedEntry[] = [];
    for (let index = offset; index < Math.min(size, offset + BATCH); index++) {
      batch.push(benchEntry(namespace, authors, (index * stride) % size));
    }
    await store.putMany(batch);
  }
  const batchedInsertsPerSecond = size / ((performance.now() - started) / 1000);

  const singleRates: number[] = [];
  for (let run = 0; run < runs; run++) {
    started = performance.now();
    for (let index = 0; index < SINGLE_PUTS; index++) {
      await store.put(benchEntry(namespace, authors, size + run * SINGLE_PUTS + index));
    }
    singleRates.push(SINGLE_PUTS / ((performance.now() - started) / 1000));
  }
  const total = size + runs * SINGLE_PUTS;

  const random = seeded(size);
  const ranges: Range[] = Array.from({ length: rangeCount }, () => {
    const x = benchEntry(namespace, authors, Math.floor(random() * total)).entry.id.bytes;
    const y = benchEntry(namespace, authors, Math.floor(random() * total)).entry.id.bytes;
    return { x, y };
  });
  const whole = { x: namespace, y: namespace };
  const latencies = await fingerprintLatencies(store, namespace, ranges);
  const wholeFingerprintMs = median(await fingerprintLatencies(store, namespace, [whole, whole, whole]));

  let openMs: number | undefined;
  let firstFingerprintAfterOpenMs: number | undefined;
  let diskBytesPerEntry: number | undefined;
  if (directory !== undefined) {
    const openTimes: number[] = [];
    const firstTimes: number[] = [];
    for (let run = 0; run < runs; run++) {
      await store.close();
      started = performance.now();
      store = await open();
      openTimes.push(performance.now() - started);
      firstTimes.push((await fingerprintLatencies(store, namespace, [ranges[run % ranges.length]!]))[0]!);
    }
    openMs = median(openTimes);
    firstFingerprintAfterOpenMs = median(firstTimes);
    await store.close();
    diskBytesPerEntry = directorySize(directory) / total;
  } else {
    await store.close();
  }
  return {
    backend,
    entries: size,
    batchedInsertsPerSecond,
    singleInsertsPerSecond: median(singleRates),
    fingerprintMedianMs: median(latencies),
    fingerprintP99Ms: percentile(latencies, 0.99),
    wholeFingerprintMs,
    openMs,
    firstFingerprintAfterOpenMs,
    diskBytesPerEntry,
  };
}

async function fingerprintLatencies(store: DocsStore, namespace: Uint8Array, ranges: readonly Range[]): Promise<number[]> {
  const view = store.ranges(namespace);
  const out: number[] = [];
  for (const range of ranges) {
    const started = performance.now();
    await view.fingerprint(range);
    out.push(performance.now() - started);
  }
  return out;
}

/** Entry `index`: author `index % 16`, key `dir-<index % 1000>/file-<index>`, zero signatures. */
function benchEntry(namespace: Uint8Array, authors: readonly Uint8Array[], index: number): SignedEntry {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, index);
  return {
    entry: {
      id: RecordIdentifier.of(namespace, authors[index % AUTHORS]!, encoder.encode(`dir-${index % 1000}/file-${index}`)),
      record: createRecord(hash, 100, 1_700_000_000_000_000n + BigInt(index)),
    },
    signature: { authorSignature: NO_SIGNATURE, namespaceSignature: NO_SIGNATURE },
  };
}

function idBytes(seed: number): Uint8Array {
  return new Uint8Array(32).fill(seed).map((byte, index) => (byte + index * 7) & 0xff);
}

function largestCoprimeBelow(size: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  for (let candidate = Math.floor(size * 0.618); candidate > 1; candidate--) if (gcd(candidate, size) === 1) return candidate;
  return 1;
}

/** A deterministic generator (mulberry32). */
function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

function median(values: readonly number[]): number {
  return percentile(values, 0.5);
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

function directorySize(directory: string): number {
  let total = 0;
  for (const name of readdirSync(directory)) {
    const stats = statSync(join(directory, name));
    total += stats.isDirectory() ? directorySize(join(directory, name)) : stats.size;
  }
  return total;
}

function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`;
}

function printTable(rows: readonly StoreLevelBenchRow[], runs: number): void {
  const format = (value: number | undefined, digits: number): string =>
    value === undefined ? '–' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  const lines = [
    `@docs/store-level — ${machineDescription()}; medians of ${runs} runs (single inserts, open)`,
    '',
    '| backend | entries | inserts/s (batched) | inserts/s (single) | range fp median ms | range fp p99 ms | whole fp ms | open ms | first fp after open ms | disk bytes/entry |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map((row) =>
      [
        row.backend,
        row.entries.toLocaleString('en-US'),
        format(row.batchedInsertsPerSecond, 0),
        format(row.singleInsertsPerSecond, 0),
        format(row.fingerprintMedianMs, 3),
        format(row.fingerprintP99Ms, 3),
        format(row.wholeFingerprintMs, 3),
        format(row.openMs, 1),
        format(row.firstFingerprintAfterOpenMs, 1),
        format(row.diskBytesPerEntry, 0),
      ].join(' | ').replace(/^/, '| ').replace(/$/, ' |'),
    ),
  ];
  console.log(lines.join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const full = process.env['BENCH_FULL'] === '1';
  const jsonIndex = process.argv.indexOf('--json');
  await runStoreLevelBench({
    sizes: full ? [10_000, 100_000, 1_000_000] : [10_000, 100_000],
    compareWith: [{ name: '@docs/store-memory', create: () => new MemoryStore() }],
    ...(jsonIndex > 0 && process.argv[jsonIndex + 1] !== undefined ? { jsonPath: process.argv[jsonIndex + 1]! } : {}),
  });
}
