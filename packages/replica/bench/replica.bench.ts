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

/** One row of the replica benchmark. */
export interface ReplicaBenchRow {
  /** What was measured. */
  readonly operation: string;
  /** Entries in the replica (or inserted, for insert rows). */
  readonly entries: number;
  /** The median over the runs. */
  readonly value: number;
  readonly unit: 'entries/s' | 'µs' | 'ms';
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
  const signTimes: number[] = [];
  const insertTimes: number[] = [];
  for (let run = 0; run < runs; run++) {
    const namespace = NamespaceSecret.generate();
    const capability = writeCapability(namespace);
    let start = performance.now();
    for (let index = 0; index < count; index++) {
      await signNewEntry(capability, author, { key: encoder.encode(`sign/${index}`), hash: hashes[index]!, len: contents[index]!.length });
    }
    signTimes.push(performance.now() - start);
    const replica = new Replica(new MemoryStore(), capability);
    start = performance.now();
    for (let index = 0; index < count; index++) {
      await replica.insert(encoder.encode(`bench/${index}`), author, hashes[index]!, contents[index]!.length);
    }
    insertTimes.push(performance.now() - start);
  }
  return [
    { operation: 'sign only (the limit: 2 signatures per entry)', entries: count, value: perSecond(count, signTimes), unit: 'entries/s' },
    { operation: 'Replica.insert (sign, validate, store)', entries: count, value: perSecond(count, insertTimes), unit: 'entries/s' },
  ];
}

async function largeReplicaRows(count: number, runs: number, samples: number): Promise<ReplicaBenchRow[]> {
  const namespace = NamespaceSecret.generate();
  const authors = Array.from({ length: 4 }, () => Author.generate());
  const store = new MemoryStore();
  await store.importNamespace(writeCapability(namespace));
  // Fingerprints and queries read ids and records only, so the bulk entries carry placeholder signatures
  // (signing a million entries would take a minute and measure nothing more).
  const placeholder = { authorSignature: new Uint8Array(64), namespaceSignature: new Uint8Array(64) };
  const authorIds = authors.map((author) => author.id);
  const namespaceId = namespace.id;
  const stored: SignedEntry[] = [];
  const buildStart = performance.now();
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
  const buildMilliseconds = performance.now() - buildStart;
  const ranges = store.ranges(namespace.id);
  const random = seededRandom(42);
  const pick = (): Uint8Array => stored[Math.floor(random() * count)]!.entry.id.bytes;
  const randomRanges: Range[] = Array.from({ length: samples }, () => ({ x: pick(), y: pick() }));
  const first = await ranges.firstKey();
  const whole: Range = { x: first, y: first };

  // The reference's way, once (it takes seconds at a million entries): iterate the range and XOR every fingerprint.
  const scanStart = performance.now();
  const accumulator = EMPTY_FINGERPRINT.slice();
  for await (const signed of ranges.items(whole)) xorFingerprintInto(accumulator, entryFingerprint(signed.entry));
  const scanMilliseconds = performance.now() - scanStart;

  const fingerprintTimes: number[] = [];
  const exactTimes: number[] = [];
  const prefixTimes: number[] = [];
  const replica = new Replica(store, writeCapability(namespace));
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    for (const range of randomRanges) await ranges.fingerprint(range);
    await ranges.fingerprint(whole);
    fingerprintTimes.push(((performance.now() - start) * 1000) / (randomRanges.length + 1));

    start = performance.now();
    for (let sample = 0; sample < samples; sample++) {
      const { id } = stored[Math.floor(random() * count)]!.entry;
      await replica.getExact(id.author, id.key);
    }
    exactTimes.push(((performance.now() - start) * 1000) / samples);

    start = performance.now();
    for (let sample = 0; sample < samples; sample++) {
      const prefix = encoder.encode(`docs/${Math.floor(random() * count)}/`);
      for await (const signed of replica.query({ keyPrefix: prefix, limit: 10 })) void signed;
    }
    prefixTimes.push(((performance.now() - start) * 1000) / samples);
  }
  return [
    { operation: 'bulk load: build entry + store.put (placeholder signatures)', entries: count, value: perSecond(count, [buildMilliseconds]), unit: 'entries/s' },
    { operation: 'range fingerprint (tree, random ranges)', entries: count, value: median(fingerprintTimes), unit: 'µs' },
    { operation: 'range fingerprint (linear scan of the whole set, as the reference; 1 run)', entries: count, value: scanMilliseconds, unit: 'ms' },
    { operation: 'Replica.getExact', entries: count, value: median(exactTimes), unit: 'µs' },
    { operation: 'Replica.query (key prefix, limit 10)', entries: count, value: median(prefixTimes), unit: 'µs' },
  ];
}

function perSecond(count: number, milliseconds: number[]): number {
  return (count / median(milliseconds)) * 1000;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** mulberry32: reproducible sampling. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

function formatTable(rows: readonly ReplicaBenchRow[]): string {
  const lines = ['| operation | entries | median |', '|---|---:|---:|'];
  for (const row of rows) {
    const value = row.unit === 'entries/s' ? Math.round(row.value).toLocaleString('en-US') : row.value.toFixed(row.value < 10 ? 2 : 1);
    lines.push(`| ${row.operation} | ${row.entries.toLocaleString('en-US')} | ${value} ${row.unit} |`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonPath = process.argv[2];
  const rows = await runReplicaBench();
  console.log(formatTable(rows));
  if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
}
