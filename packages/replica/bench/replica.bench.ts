import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { Author, NamespaceSecret, blake3 } from '@docs/crypto';
import {
  RecordIdentifier,
  createRecord,
  entryFingerprint,
  signNewEntry,
  writeCapability,
  xorFingerprintInto,
  EMPTY_FINGERPRINT,
  type SignedEntry,
} from '@docs/entry';
import type { Range } from '@docs/rbsr';
import { Replica } from '@docs/replica';
import { MemoryStore } from '@docs/store-memory';
import { SeededRandom } from '@docs/store/conformance';

/** One row of the replica benchmark. */
export interface ReplicaBenchRow {
  /** What was measured. */
  readonly operation: string;
  /** Entries in the replica (or inserted, for insert rows). */
  readonly entries: number;
  readonly unit: 'entries/s' | 'µs' | 'ms';
  /** The median over the runs, by the wall clock. */
  readonly value: number;
  /**
   * The same by this process's CPU time (`process.cpuUsage`): close to the wall-clock figure on an idle machine,
   * and much less sensitive to other load on a shared one.
   */
  readonly cpuValue: number;
}

/** Options of {@link runReplicaBench}. */
export interface ReplicaBenchOptions {
  /** Entries inserted per insert run (default 5,000). */
  readonly inserts?: number;
  /** Entries in the replica for fingerprints and queries (default 1,000,000). */
  readonly entries?: number;
  /** Runs per measurement; the median is reported (default 5). */
  readonly runs?: number;
  /** Random ranges / lookups timed per run (default 200). */
  readonly samples?: number;
}

const encoder = new TextEncoder();

/** Wall-clock and CPU milliseconds of one measured step. */
interface Timing {
  readonly wall: number;
  readonly cpu: number;
}

async function timed(step: () => Promise<void>): Promise<Timing> {
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await step();
  const wall = performance.now() - wallStart;
  const { user, system } = process.cpuUsage(cpuStart);
  return { wall, cpu: (user + system) / 1000 };
}

/** A rate row: `count` entries per measured step. */
function rateRow(operation: string, count: number, timings: readonly Timing[]): ReplicaBenchRow {
  const rate = (milliseconds: number) => (count / milliseconds) * 1000;
  return {
    operation,
    entries: count,
    unit: 'entries/s',
    value: rate(median(timings.map((t) => t.wall))),
    cpuValue: rate(median(timings.map((t) => t.cpu))),
  };
}

/** A latency row: each step ran `operations` operations; reported per operation in `unit`. */
function latencyRow(
  operation: string,
  entries: number,
  timings: readonly Timing[],
  operations: number,
  unit: 'µs' | 'ms',
): ReplicaBenchRow {
  const scale = unit === 'µs' ? 1000 : 1;
  const per = (milliseconds: number) => (milliseconds * scale) / operations;
  return {
    operation,
    entries,
    unit,
    value: per(median(timings.map((t) => t.wall))),
    cpuValue: per(median(timings.map((t) => t.cpu))),
  };
}

/**
 * Insert throughput of a memory replica (signed entries per second, against signing alone in the same run), range
 * fingerprint time at `entries` entries (the tree against the reference's linear scan), and query latency.
 */
export async function runReplicaBench(options: ReplicaBenchOptions = {}): Promise<ReplicaBenchRow[]> {
  const inserts = options.inserts ?? 5_000;
  const entries = options.entries ?? 1_000_000;
  const runs = options.runs ?? 5;
  const samples = options.samples ?? 200;
  return [...(await insertRows(inserts, runs)), ...(await largeReplicaRows(entries, runs, samples))];
}

async function insertRows(count: number, runs: number): Promise<ReplicaBenchRow[]> {
  const author = Author.generate();
  const contents = Array.from({ length: count }, (_, index) => encoder.encode(`content ${index}`));
  const hashes = contents.map((content) => blake3(content));
  const signTimes: Timing[] = [];
  const insertTimes: Timing[] = [];
  for (let run = 0; run < runs; run++) {
    const capability = writeCapability(NamespaceSecret.generate());
    signTimes.push(
      await timed(async () => {
        for (let index = 0; index < count; index++) {
          const key = encoder.encode(`sign/${index}`);
          await signNewEntry(capability, author, { key, hash: hashes[index]!, len: contents[index]!.length });
        }
      }),
    );
    const replica = new Replica(new MemoryStore(), capability);
    insertTimes.push(
      await timed(async () => {
        for (let index = 0; index < count; index++) {
          await replica.insert(encoder.encode(`bench/${index}`), author, hashes[index]!, contents[index]!.length);
        }
      }),
    );
  }
  return [
    rateRow('sign only (the limit: 2 signatures per entry)', count, signTimes),
    rateRow('Replica.insert (sign, validate, store)', count, insertTimes),
  ];
}

async function largeReplicaRows(count: number, runs: number, samples: number): Promise<ReplicaBenchRow[]> {
  const namespace = NamespaceSecret.generate();
  const namespaceId = namespace.id;
  const authorIds = Array.from({ length: 4 }, () => Author.generate().id);
  const store = new MemoryStore();
  await store.importNamespace(writeCapability(namespace));
  // Fingerprints and queries read ids and records only, so the bulk entries carry placeholder signatures
  // (signing a million entries would take a minute and measure nothing more).
  const placeholder = { authorSignature: new Uint8Array(64), namespaceSignature: new Uint8Array(64) };
  const stored: SignedEntry[] = [];
  const build = await timed(async () => {
    for (let index = 0; index < count; index++) {
      const key = encoder.encode(`docs/${(index * 7919) % count}/${index}`);
      const signed: SignedEntry = {
        signature: placeholder,
        entry: {
          id: RecordIdentifier.of(namespaceId, authorIds[index % authorIds.length]!, key),
          record: createRecord(blake3(key), 100, 1_700_000_000_000_000 + index),
        },
      };
      stored.push(signed);
      await store.put(signed);
    }
  });
  const ranges = store.ranges(namespaceId);
  const random = seededRandom(42);
  const pick = (): Uint8Array => stored[Math.floor(random() * count)]!.entry.id.bytes;
  const randomRanges: Range[] = Array.from({ length: samples }, () => ({ x: pick(), y: pick() }));
  const first = await ranges.firstKey();
  const whole: Range = { x: first, y: first };

  // The reference's way, once (it takes seconds at a million entries): iterate the range and XOR every fingerprint.
  const scan = await timed(async () => {
    const accumulator = EMPTY_FINGERPRINT.slice();
    for await (const signed of ranges.items(whole)) xorFingerprintInto(accumulator, entryFingerprint(signed.entry));
  });

  const fingerprintTimes: Timing[] = [];
  const exactTimes: Timing[] = [];
  const prefixTimes: Timing[] = [];
  const replica = new Replica(store, writeCapability(namespace));
  for (let run = 0; run < runs; run++) {
    fingerprintTimes.push(
      await timed(async () => {
        for (const range of randomRanges) await ranges.fingerprint(range);
        await ranges.fingerprint(whole);
      }),
    );
    exactTimes.push(
      await timed(async () => {
        for (let sample = 0; sample < samples; sample++) {
          const { id } = stored[Math.floor(random() * count)]!.entry;
          await replica.getExact(id.author, id.key);
        }
      }),
    );
    prefixTimes.push(
      await timed(async () => {
        for (let sample = 0; sample < samples; sample++) {
          const prefix = encoder.encode(`docs/${Math.floor(random() * count)}/`);
          for await (const signed of replica.query({ keyPrefix: prefix, limit: 10 })) void signed;
        }
      }),
    );
  }
  return [
    rateRow('bulk load: build entry + store.put (placeholder signatures)', count, [build]),
    latencyRow('range fingerprint (tree, random ranges and the whole set)', count, fingerprintTimes, samples + 1, 'µs'),
    latencyRow('range fingerprint (linear scan of the whole set, as the reference; 1 run)', count, [scan], 1, 'ms'),
    latencyRow('Replica.getExact', count, exactTimes, samples, 'µs'),
    latencyRow('Replica.query (key prefix, limit 10)', count, prefixTimes, samples, 'µs'),
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** mulberry32: reproducible sampling. */
function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** The rows as a Markdown table. */
export function formatReplicaBenchTable(rows: readonly ReplicaBenchRow[]): string {
  const format = (value: number, unit: ReplicaBenchRow['unit']) =>
    `${unit === 'entries/s' ? Math.round(value).toLocaleString('en-US') : value.toFixed(value < 10 ? 2 : 1)} ${unit}`;
  const lines = ['| operation | entries | median (wall clock) | median (CPU time) |', '|---|---:|---:|---:|'];
  for (const row of rows) {
    lines.push(
      `| ${row.operation} | ${row.entries.toLocaleString('en-US')} | ${format(row.value, row.unit)} | ${format(row.cpuValue, row.unit)} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonPath = process.argv[2];
  const rows = await runReplicaBench();
  console.log(formatReplicaBenchTable(rows));
  if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
}
