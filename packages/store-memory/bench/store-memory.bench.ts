import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { Author, NamespaceSecret, compareBytes, equalBytes } from '@docs/crypto';
import {
  EMPTY_FINGERPRINT,
  RecordIdentifier,
  createRecord,
  entryFingerprint,
  signEntry,
  xorFingerprintInto,
  type Entry,
  type SignedEntry,
} from '@docs/entry';
import type { Range } from '@docs/rbsr';
import type { Query } from '@docs/store';
import { MemoryStore } from '@docs/store-memory';
import { SeededRandom } from '@docs/store/conformance';

/**
 * One measurement: the median of `samples` (one per run), from the process CPU time (user + system), and the same
 * from wall-clock time. On a shared machine the CPU figure is the one to compare; on an idle one both agree.
 */
export interface StoreMemoryBenchRow {
  readonly name: string;
  readonly variant: string;
  readonly unit: 'entries/s' | 'µs/op' | 'ms/op' | 'bytes/entry';
  readonly median: number;
  readonly wallMedian: number;
  readonly samples: readonly number[];
}

/** Options of {@link runStoreMemoryBench}. */
export interface StoreMemoryBenchOptions {
  /** Entries of the large store for range fingerprints and queries (default 1,000,000). */
  readonly entries?: number;
  /** Signed entries per insert run (default 5,000). */
  readonly insertEntries?: number;
  /** Runs per measurement; the median is reported (default 5). */
  readonly runs?: number;
  /** Random sub-ranges per range-operation run (default 2,000). */
  readonly ranges?: number;
  /** Writes the rows (and the machine) as JSON here. */
  readonly jsonPath?: string;
  /** Prints the table (default true). */
  readonly print?: boolean;
}

const encoder = new TextEncoder();
const NO_SIGNATURE = new Uint8Array(64);

/** A deterministic generator (mulberry32) so that every run measures the same work. */
function seeded(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let index = items.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [items[index], items[other]] = [items[other]!, items[index]!];
  }
  return items;
}

/** Milliseconds of process CPU time and of wall-clock time taken by `work`. */
async function timed(work: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await work();
  const cpu = process.cpuUsage(cpuStart);
  return { cpu: (cpu.user + cpu.system) / 1000, wall: performance.now() - wallStart };
}

/** The entry of index `index`: author `index % authors`, key `dir-<index % 1000>/file-<index>`. */
function benchEntry(namespace: Uint8Array, authors: readonly Uint8Array[], index: number): Entry {
  const key = encoder.encode(`dir-${index % 1000}/file-${index}`);
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, index);
  return {
    id: RecordIdentifier.of(namespace, authors[index % authors.length]!, key),
    record: createRecord(hash, 100, 1_700_000_000_000_000n + BigInt(index)),
  };
}

/**
 * The in-memory store's throughput and latencies: signed-entry inserts per second (signing included and
 * excluded), range fingerprints at a million entries (the augmented tree against the reference's linear scan with
 * a BLAKE3 hash per entry, in the same run), range count and keyAt, memory per entry, and query latencies.
 */
export async function runStoreMemoryBench(options: StoreMemoryBenchOptions = {}): Promise<StoreMemoryBenchRow[]> {
  const size = options.entries ?? 1_000_000;
  const insertCount = options.insertEntries ?? 5_000;
  const runs = options.runs ?? 5;
  const rangeCount = options.ranges ?? 2_000;
  const rows: StoreMemoryBenchRow[] = [];
  type Unit = StoreMemoryBenchRow['unit'];
  /** Records timings as a rate (`entries/s`, `amount` items per timing) or a time per operation. */
  const record = (name: string, variant: string, unit: Unit, amount: number, timings: Array<{ cpu: number; wall: number }>) => {
    const convert = (milliseconds: number): number =>
      unit === 'entries/s' ? (amount / milliseconds) * 1000 : unit === 'µs/op' ? (milliseconds * 1000) / amount : milliseconds / amount;
    const samples = timings.map((timing) => convert(timing.cpu));
    rows.push({ name, variant, unit, median: median(samples), wallMedian: median(timings.map((timing) => convert(timing.wall))), samples });
  };
  const repeat = async (count: number, work: () => Promise<void>) => {
    const timings = [];
    for (let run = 0; run < count; run++) timings.push(await timed(work));
    return timings;
  };

  // Inserts of really signed entries, in random key order, into a fresh store per run.
  const namespace = NamespaceSecret.generate();
  const author = Author.generate();
  const random = seeded(1);
  const fresh = shuffled(
    Array.from({ length: insertCount }, (_, index) => benchEntry(namespace.id, [author.id], index)),
    random,
  );
  const signed: SignedEntry[] = [];
  for (const entry of fresh) signed.push(await signEntry(entry, namespace, author));
  const insertAll = (sign: boolean) => async () => {
    const store = new MemoryStore();
    if (sign) for (const entry of fresh) await store.put(await signEntry(entry, namespace, author));
    else for (const entry of signed) await store.put(entry);
    await store.close();
  };
  record('put signed entry', 'signing included (2 Ed25519 signatures), random order', 'entries/s', insertCount, await repeat(runs, insertAll(true)));
  record('put signed entry', 'signing excluded (pre-signed), random order', 'entries/s', insertCount, await repeat(runs, insertAll(false)));

  // The large store: unsigned entries (signatures are not part of fingerprints), 8 authors, inserted in key order.
  const authors = Array.from({ length: 8 }, () => Author.generate().id);
  const large = new MemoryStore();
  const label = `${size.toLocaleString('en-US')} entries`;
  // With `node --expose-gc` the heap is measured after full collections; otherwise garbage inflates it.
  const collectGarbage = (globalThis as { gc?: () => void }).gc;
  collectGarbage?.();
  const memoryBefore = process.memoryUsage();
  const entries = Array.from({ length: size }, (_, index) => benchEntry(namespace.id, authors, index)).sort((a, b) =>
    compareBytes(a.id.bytes, b.id.bytes),
  );
  const build = await timed(async () => {
    for (const entry of entries) {
      await large.put({ entry, signature: { authorSignature: NO_SIGNATURE, namespaceSignature: NO_SIGNATURE } });
    }
  });
  record(`put ${label}`, 'unsigned, in key order, one run', 'entries/s', size, [build]);
  entries.length = 0;
  collectGarbage?.();
  const memoryAfter = process.memoryUsage();
  const grown = memoryAfter.heapUsed + memoryAfter.arrayBuffers - memoryBefore.heapUsed - memoryBefore.arrayBuffers;
  rows.push({
    name: 'memory',
    variant: `heap + array buffers per stored entry (entry objects included, shared signatures${collectGarbage ? ', after full GC' : ', without GC'})`,
    unit: 'bytes/entry',
    median: grown / size,
    wallMedian: grown / size,
    samples: [grown / size],
  });
  const ranges = large.ranges(namespace.id);
  const whole: Range = { x: new Uint8Array(64), y: new Uint8Array(64) };
  if ((await ranges.count(whole)) !== size) throw new Error('the large store lost entries');

  // Random sub-ranges between stored keys (about half of them wrap).
  const keys: Uint8Array[] = [];
  for (let index = 0; index < 1_000; index++) keys.push(await ranges.keyAt(whole, Math.floor(random() * size)));
  const randomRange = (): Range => ({ x: keys[Math.floor(random() * keys.length)]!, y: keys[Math.floor(random() * keys.length)]! });
  const operations = (count: number, operation: () => Promise<unknown>) =>
    repeat(runs, async () => {
      for (let index = 0; index < count; index++) await operation();
    });

  record(`range fingerprint, ${label}`, 'augmented tree, O(log n)', 'µs/op', rangeCount, await operations(rangeCount, () => ranges.fingerprint(randomRange())));
  // The reference's way: scan the range and hash every entry.
  let scanned = 0;
  const scans = await repeat(Math.min(runs, 3), async () => {
    const range = randomRange();
    const accumulator = EMPTY_FINGERPRINT.slice();
    for await (const item of ranges.items(range)) {
      xorFingerprintInto(accumulator, entryFingerprint(item.entry));
      scanned++;
    }
    if (!equalBytes(accumulator, await ranges.fingerprint(range))) throw new Error('the scan and the tree disagree');
  });
  record(
    `range fingerprint, ${label}`,
    `linear scan + BLAKE3 per entry (reference), avg ${Math.round(scanned / scans.length).toLocaleString('en-US')} entries`,
    'ms/op',
    1,
    scans,
  );
  record(`range count, ${label}`, 'augmented tree', 'µs/op', rangeCount, await operations(rangeCount, () => ranges.count(randomRange())));
  record(`range keyAt, ${label}`, 'augmented tree (after a count)', 'µs/op', rangeCount, await operations(rangeCount, async () => {
    const range = randomRange();
    const count = await ranges.count(range);
    return count === 0 ? undefined : ranges.keyAt(range, Math.floor(random() * count));
  }));

  // Query latency: the first page (up to 10 results) of common queries.
  const prefix = () => encoder.encode(`dir-${Math.floor(random() * 1000)}/`);
  const existingKey = () => {
    const index = Math.floor(random() * size);
    return { author: authors[index % authors.length]!, key: encoder.encode(`dir-${index % 1000}/file-${index}`) };
  };
  const page = async (query: Query) => {
    let found = 0;
    for await (const _ of large.query(namespace.id, query)) found++;
    return found;
  };
  const queries: Array<[string, number, () => Promise<unknown>]> = [
    ['getExact', 1_000, () => { const { author: id, key } = existingKey(); return large.getExact(namespace.id, id, key); }],
    ['key exact, any author', 500, () => page({ key: existingKey().key })],
    ['author + key prefix, limit 10', 500, () => page({ author: authors[0]!, keyPrefix: prefix(), limit: 10 })],
    ['key prefix, key-author order, limit 10', 500, () => page({ keyPrefix: prefix(), sortBy: 'key-author', limit: 10 })],
    ['key prefix, author-key order, limit 10', 500, () => page({ keyPrefix: prefix(), limit: 10 })],
    ['single latest per key, prefix, limit 10', 500, () => page({ kind: 'single-latest-per-key', keyPrefix: prefix(), limit: 10 })],
    ['all, offset 1000, limit 10', 50, () => page({ offset: 1_000, limit: 10 })],
  ];
  for (const [name, count, run] of queries) record(`query, ${label}`, name, 'µs/op', count, await operations(count, run));
  await large.close();

  if (options.print ?? true) printTable(rows, runs);
  if (options.jsonPath !== undefined) {
    writeFileSync(options.jsonPath, `${JSON.stringify({ machine: machineDescription(), runs, rows }, null, 2)}\n`);
  }
  return rows;
}

function machineDescription(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.versions.node}`;
}

function printTable(rows: readonly StoreMemoryBenchRow[], runs: number): void {
  const format = (value: number): string =>
    value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
  const lines = [
    `@docs/store-memory — median of up to ${runs} runs (CPU time; wall-clock beside it); ${machineDescription()}`,
    '',
    '| measurement | variant | median (CPU) | median (wall) | unit |',
    '|---|---|---:|---:|---|',
    ...rows.map((row) => `| ${row.name} | ${row.variant} | ${format(row.median)} | ${format(row.wallMedian)} | ${row.unit} |`),
  ];
  const tree = rows.find((row) => row.name.startsWith('range fingerprint') && row.unit === 'µs/op');
  const scan = rows.find((row) => row.name.startsWith('range fingerprint') && row.unit === 'ms/op');
  if (tree && scan) lines.push('', `range fingerprint: the tree is ${format((scan.median * 1000) / tree.median)}× faster than a scan (CPU time)`);
  console.log(lines.join('\n'));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonIndex = process.argv.indexOf('--json');
  const quick = process.argv.includes('--quick');
  await runStoreMemoryBench({
    ...(jsonIndex > 0 && process.argv[jsonIndex + 1] !== undefined ? { jsonPath: process.argv[jsonIndex + 1]! } : {}),
    ...(quick ? { entries: 100_000, insertEntries: 1_000, runs: 3, ranges: 500 } : {}),
  });
}
