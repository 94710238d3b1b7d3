import { cp, mkdtemp, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Author, NamespaceSecret, blake3, defaultEd25519, nativeEd25519, type SignatureCheck } from '@docs/crypto';
import { encodeEntryForSigning, signNewEntry, writeCapability, type SignedEntry } from '@docs/entry';
import { Replica } from '@docs/replica';
import type { DocsStore } from '@docs/store';
import { LevelStore } from '@docs/store-level';
import { MemoryStore } from '@docs/store-memory';
import { NodeSecret, SYNC_PROTOCOL, syncAsAcceptor, syncAsDialer, type ByteStream, type SessionResult } from '@docs/sync-transport';
import { tcpTransport } from '@docs/sync-transport/tcp';

/** One row of the sync benchmark. */
export interface SyncTransportBenchRow {
  /** What was measured. */
  readonly scenario: string;
  /** Entries in the replica that serves (and, for the differences row, in the other one too). */
  readonly entries: number;
  /** Entries that had to move (the differences, or everything for an initial sync). */
  readonly transferred: number;
  /** Entries that crossed the wire, both ways (a session may send entries the other side already holds). */
  readonly entriesMoved: number;
  /** Median wall-clock milliseconds of the session (connection and handshake included), or of the verification. */
  readonly wallMs: number;
  /** Wall-clock milliseconds of the first run: the process has not run that code before (or little of it). */
  readonly firstWallMs: number;
  /** Median CPU milliseconds of the process (both peers and the thread pool) over the same span. */
  readonly cpuMs: number;
  /** Entries that crossed the wire (or were verified or stored) per second of wall clock. */
  readonly entriesPerSecond: number;
  /** Round trips of the session (messages both ways, halved); 0 for verification rows. */
  readonly roundTrips: number;
  /** Bytes sent by the dialer, frame headers included. */
  readonly bytesSent: number;
  /** Bytes received by the dialer. */
  readonly bytesReceived: number;
  /** Peak resident set size of the process (both peers) during the runs, in MiB. */
  readonly peakRssMiB: number;
  readonly runs: number;
}

/** Options of {@link runSyncTransportBench}. */
export interface SyncTransportBenchOptions {
  /** Entries in each replica (default 100,000). */
  readonly entries?: number;
  /** Differences between the two replicas, half on each side (default 1,000). */
  readonly differences?: number;
  /** Runs of the differences syncs, of the verification and of the inserts; the median is reported (default 5). */
  readonly runs?: number;
  /** Runs of the initial sync (default 1: it is the long one). */
  readonly initialRuns?: number;
  /** Signatures timed for the verification rows (default 20,000). */
  readonly signatures?: number;
  /** Print progress to stderr (default false). */
  readonly verbose?: boolean;
}

const encoder = new TextEncoder();

/**
 * Two LevelStore peers syncing over TCP on 127.0.0.1 (one process, one listener): a set-reconciliation session
 * between replicas of `entries` entries that differ by `differences` (and the same session between two MemoryStores,
 * the protocol's cost without storage), and an initial sync of `entries` entries into an empty replica — compared
 * in the same run with the native signature verification rate (an initial sync verifies two signatures per entry),
 * sequential and batched (`verifyMany`, on worker threads in Node).
 */
export async function runSyncTransportBench(options: SyncTransportBenchOptions = {}): Promise<SyncTransportBenchRow[]> {
  const entries = options.entries ?? 100_000;
  const differences = options.differences ?? 1_000;
  const runs = options.runs ?? 5;
  const initialRuns = options.initialRuns ?? 1;
  const signatures = options.signatures ?? 20_000;
  const log = options.verbose === true ? (line: string) => process.stderr.write(`${line}\n`) : () => undefined;

  const directory = await mkdtemp(join(tmpdir(), 'docs-sync-bench-'));
  try {
    const namespace = NamespaceSecret.generate();
    const authors = Array.from({ length: 4 }, () => Author.generate());
    const half = Math.floor(differences / 2);
    const common = entries - half;
    log(`signing ${common + 2 * half} entries`);
    const { full, other, empty, sample } = await prepareStores(directory, namespace, authors, common, half, Math.ceil(signatures / 2));

    const rows: SyncTransportBenchRow[] = [];
    log('differences');
    const differencesPlan: SessionPlan = { directory, namespace, serving: full, dialing: other, runs, entries, transferred: 2 * half };
    const count = (value: number) => value.toLocaleString('en-US');
    rows.push(await measureSessions(`sync, ${count(entries)} vs ${count(entries)} entries, ${differences} differences`, differencesPlan, log));
    log('differences, in-memory stores');
    rows.push(
      await measureSessions('the same sync between two @docs/store-memory replicas (the protocol without storage)', {
        ...differencesPlan,
        backend: 'memory',
      }, log),
    );
    log('initial sync');
    rows.push(
      await measureSessions(`initial sync of ${count(entries)} entries into an empty replica`, {
        ...differencesPlan,
        dialing: empty,
        runs: initialRuns,
        transferred: entries,
      }, log),
    );
    log('verification and store inserts');
    rows.push(...(await verificationRows(sample, runs)));
    rows.push(...(await storeRows(directory, namespace, sample, runs)));
    return rows;
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Signs the entries and builds the stores (closed again: runs copy their directories). Only a sample of the
 * signed entries is kept, so that the peak RSS of the sessions is the peers' own.
 */
async function prepareStores(
  directory: string,
  namespace: NamespaceSecret,
  authors: readonly Author[],
  common: number,
  half: number,
  sampleSize: number,
): Promise<{ full: string; other: string; empty: string; sample: SignedEntry[] }> {
  const signed = await signEntries(namespace, authors, common + 2 * half);
  const shared = signed.slice(0, common);
  const full = await buildStore(join(directory, 'full'), namespace, shared.concat(signed.slice(common, common + half)));
  const other = await buildStore(join(directory, 'other'), namespace, shared.concat(signed.slice(common + half)));
  const empty = await buildStore(join(directory, 'empty'), namespace, []);
  return { full, other, empty, sample: signed.slice(0, sampleSize) };
}

async function signEntries(namespace: NamespaceSecret, authors: readonly Author[], count: number): Promise<SignedEntry[]> {
  const capability = writeCapability(namespace);
  const out: SignedEntry[] = [];
  for (let index = 0; index < count; index++) {
    const key = encoder.encode(`docs/${(index * 7919) % count}/${index}`);
    out.push(
      await signNewEntry(capability, authors[index % authors.length]!, {
        key,
        hash: blake3(key),
        len: 100,
        timestamp: 1_700_000_000_000_000n + BigInt(index),
      }),
    );
  }
  return out;
}

/** A LevelStore at `path` holding `entries`, closed again: runs copy the directory. */
async function buildStore(path: string, namespace: NamespaceSecret, entries: readonly SignedEntry[]): Promise<string> {
  const store = await LevelStore.open(path);
  await store.importNamespace(writeCapability(namespace));
  for (let start = 0; start < entries.length; start += 5_000) await store.putMany(entries.slice(start, start + 5_000));
  await store.close();
  return path;
}

interface SessionPlan {
  readonly directory: string;
  readonly namespace: NamespaceSecret;
  /** The store of the listening peer (copied per run). */
  readonly serving: string;
  /** The store of the dialing peer (copied per run). */
  readonly dialing: string;
  readonly runs: number;
  readonly entries: number;
  readonly transferred: number;
  /** Where the peers keep their entries: LevelStores (copies of the prepared ones, the default) or MemoryStores. */
  readonly backend?: 'level' | 'memory';
}

/** A store holding the entries of the prepared LevelStore at `path`: a copy of it, or a MemoryStore loaded from it. */
async function openStore(plan: SessionPlan, path: string): Promise<{ store: DocsStore; dispose: () => Promise<void> }> {
  if (plan.backend === 'memory') {
    const level = await LevelStore.open(path);
    const store = new MemoryStore();
    await store.importNamespace(writeCapability(plan.namespace));
    const entries: SignedEntry[] = [];
    for await (const signed of level.query(plan.namespace.id)) entries.push(signed);
    await level.close();
    await store.putMany(entries);
    return { store, dispose: () => store.close() };
  }
  const copy = join(plan.directory, `copy-${copies++}`);
  await cp(path, copy, { recursive: true });
  const store = await LevelStore.open(copy);
  return {
    store,
    dispose: async () => {
      await store.close();
      await rm(copy, { recursive: true, force: true });
    },
  };
}

let copies = 0;

async function measureSessions(scenario: string, plan: SessionPlan, log: (line: string) => void): Promise<SyncTransportBenchRow> {
  const walls: number[] = [];
  const cpus: number[] = [];
  let result: SessionResult | undefined;
  let peakRss = process.memoryUsage().rss;
  for (let run = 0; run < plan.runs; run++) {
    const servingStore = await openStore(plan, plan.serving);
    const dialingStore = await openStore(plan, plan.dialing);
    const capability = writeCapability(plan.namespace);
    const serving = new Replica(servingStore.store, capability);
    const dialing = new Replica(dialingStore.store, capability);
    const listenerNode = tcpTransport(NodeSecret.generate());
    const accepted: Array<Promise<unknown>> = [];
    const listener = await listenerNode.listen('127.0.0.1:0', (stream: ByteStream) => {
      const session = syncAsAcceptor(stream, () => ({ replica: serving }));
      accepted.push(session);
      return session.then(() => undefined);
    });
    const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const stream = await tcpTransport(NodeSecret.generate()).dial(listener.address, SYNC_PROTOCOL);
    result = await syncAsDialer(stream, dialing);
    await Promise.all(accepted);
    walls.push(performance.now() - started);
    const cpu = process.cpuUsage(cpuBefore);
    cpus.push((cpu.user + cpu.system) / 1000);
    log(`  run ${run + 1}: ${Math.round(walls[run]!)} ms, CPU ${Math.round(cpus[run]!)} ms`);
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (result.stats.entriesReceived < plan.transferred / 2) throw new Error(`${scenario}: only ${result.stats.entriesReceived} entries arrived`);
    await listener.close();
    await Promise.all([servingStore.dispose(), dialingStore.dispose()]);
  }
  const wallMs = median(walls);
  const firstWallMs = walls[0]!;
  const moved = result!.stats.entriesReceived + result!.stats.entriesSent;
  return {
    scenario,
    entries: plan.entries,
    transferred: plan.transferred,
    wallMs,
    firstWallMs,
    cpuMs: median(cpus),
    entriesMoved: moved,
    entriesPerSecond: (moved / wallMs) * 1000,
    roundTrips: result!.stats.roundTrips,
    bytesSent: result!.stats.bytesSent,
    bytesReceived: result!.stats.bytesReceived,
    peakRssMiB: peakRss / 1024 / 1024,
    runs: plan.runs,
  };
}

/** The native verification rate in entries per second (two signatures each), one after the other and batched. */
async function verificationRows(entries: readonly SignedEntry[], runs: number): Promise<SyncTransportBenchRow[]> {
  const ed25519 = nativeEd25519() ?? defaultEd25519();
  const checks: SignatureCheck[] = entries.flatMap((signed) => {
    const message = encodeEntryForSigning(signed.entry);
    return [
      { publicKey: signed.entry.id.namespace, message, signature: signed.signature.namespaceSignature },
      { publicKey: signed.entry.id.author, message, signature: signed.signature.authorSignature },
    ];
  });
  const sequential: Array<{ wall: number; cpu: number }> = [];
  const batched: Array<{ wall: number; cpu: number }> = [];
  for (let run = 0; run < runs; run++) {
    sequential.push(
      await timed(async () => {
        for (const check of checks) {
          if (!(await ed25519.verify(check.publicKey, check.message, check.signature))) throw new Error('a valid signature failed');
        }
      }),
    );
    batched.push(
      await timed(async () => {
        if (!(await ed25519.verifyMany(checks)).every(Boolean)) throw new Error('a valid signature failed');
      }),
    );
  }
  return [
    rateRow(`native verification, one after the other (${ed25519.name}; 2 signatures per entry)`, entries.length, sequential, runs),
    rateRow(`native verification, batched: verifyMany on worker threads (${ed25519.name}; 2 signatures per entry)`, entries.length, batched, runs),
  ];
}

/** The store's insert rate: one entry per batch (as a sync inserts today) and bulk batches. */
async function storeRows(
  directory: string,
  namespace: NamespaceSecret,
  entries: readonly SignedEntry[],
  runs: number,
): Promise<SyncTransportBenchRow[]> {
  const single: Array<{ wall: number; cpu: number }> = [];
  const bulk: Array<{ wall: number; cpu: number }> = [];
  for (let run = 0; run < runs; run++) {
    for (const [timings, insert] of [
      [single, async (store: LevelStore) => {
        for (const entry of entries) await store.put(entry);
      }],
      [bulk, async (store: LevelStore) => {
        for (let start = 0; start < entries.length; start += 5_000) await store.putMany(entries.slice(start, start + 5_000));
      }],
    ] as const) {
      const path = join(directory, `copy-${copies++}`);
      const store = await LevelStore.open(path);
      await store.importNamespace(writeCapability(namespace));
      timings.push(await timed(() => insert(store)));
      await store.close();
      await rm(path, { recursive: true, force: true });
    }
  }
  return [
    rateRow('LevelStore.put, one entry per batch (how a sync inserts each received entry)', entries.length, single, runs),
    rateRow('LevelStore.putMany, 5,000 entries per batch', entries.length, bulk, runs),
  ];
}

function rateRow(scenario: string, count: number, timings: ReadonlyArray<{ wall: number; cpu: number }>, runs: number): SyncTransportBenchRow {
  const wallMs = median(timings.map((timing) => timing.wall));
  const firstWallMs = timings[0]!.wall;
  return {
    scenario,
    entries: count,
    transferred: count,
    entriesMoved: 0,
    wallMs,
    firstWallMs,
    cpuMs: median(timings.map((timing) => timing.cpu)),
    entriesPerSecond: (count / wallMs) * 1000,
    roundTrips: 0,
    bytesSent: 0,
    bytesReceived: 0,
    peakRssMiB: process.memoryUsage().rss / 1024 / 1024,
    runs,
  };
}

async function timed(work: () => Promise<void>): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const cpu = process.cpuUsage(cpuBefore);
  return { wall: performance.now() - started, cpu: (cpu.user + cpu.system) / 1000 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** The rows as a Markdown table. */
export function formatSyncTransportBenchTable(rows: readonly SyncTransportBenchRow[]): string {
  const integer = (value: number) => Math.round(value).toLocaleString('en-US');
  const lines = [
    '| scenario | to move | moved | wall (median) | wall (first run) | CPU (median) | entries/s | round trips | bytes sent / received | peak RSS |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const session = row.roundTrips > 0;
    const traffic = session ? `${integer(row.bytesSent)} / ${integer(row.bytesReceived)}` : '–';
    lines.push(
      `| ${row.scenario} | ${integer(row.transferred)} | ${session ? integer(row.entriesMoved) : '–'} | ${integer(row.wallMs)} ms | ${integer(row.firstWallMs)} ms | ${integer(row.cpuMs)} ms | ${integer(row.entriesPerSecond)} | ${session ? row.roundTrips : '–'} | ${traffic} | ${integer(row.peakRssMiB)} MiB |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const jsonPath = process.argv[2];
  const rows = await runSyncTransportBench({ verbose: true });
  console.log(formatSyncTransportBenchTable(rows));
  if (jsonPath !== undefined) writeFileSync(jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
}
