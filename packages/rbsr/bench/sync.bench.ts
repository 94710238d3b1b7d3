/**
 * Synchronises two in-memory sets of N items (default 1,000,000, env BENCH_N) that differ by d
 * items (half missing on each side), in compat and tuned mode, without a frame budget and with
 * 4 MiB and 64 KiB budgets. Reports round trips, bytes each way and wall time of the exchange.
 *
 * Items stand in for iroh-docs entries: 80-byte keys (32-byte namespace, one of 8 authors, a
 * 16-byte user key), 32-byte fingerprints, and the postcard size of a SignedEntry with such a key
 * (251 bytes) plus a 1-byte content status. The store is the O(log n) TreeRangeStore.
 *
 * Run: NODE_OPTIONS=--expose-gc pnpm exec tsx --conditions=@docs/source packages/rbsr/bench/sync.bench.ts [--json out.json]
 * (with the collector exposed, the set-up's garbage is collected before each timed exchange).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createPostcardSizeModel,
  FingerprintTree,
  Reconciler,
  SYNC_MODES,
  TreeRangeStore,
  varintLength,
  type Message,
  type MessageSizeModel,
  type RangeItemTraits,
  type SplitSettings,
} from '@docs/rbsr';

/** A stand-in for a SignedEntry: key, fingerprint, timestamp. */
interface BenchItem {
  readonly key: Uint8Array;
  readonly fingerprint: Uint8Array;
  readonly timestamp: number;
}

type Status = number;

/** Options of {@link runSyncBench}. */
export interface SyncBenchOptions {
  /** Items per set (default env BENCH_N or 1,000,000). */
  readonly n?: number;
  /** Numbers of differing items (default 0, 1, 100, 1,000, 10,000). */
  readonly differences?: readonly number[];
  /** Named settings to compare (default {@link SYNC_MODES}: compat and tuned). */
  readonly modes?: Readonly<Record<string, SplitSettings>>;
  /** Frame budgets in bytes, `Infinity` for none (default none, 4 MiB, 64 KiB). */
  readonly budgets?: readonly number[];
  /** Runs per cell; the median time is reported (default env BENCH_RUNS or 1). */
  readonly runs?: number;
  /** A cell stops after this many seconds and is reported as capped (default env BENCH_CELL_SECONDS or 60). */
  readonly cellSeconds?: number;
  /** Write the rows as JSON here. */
  readonly jsonPath?: string;
  /** Print each row as it completes (default true). */
  readonly log?: boolean;
}

/** One measured cell. */
export interface SyncBenchRow {
  readonly n: number;
  readonly differences: number;
  readonly mode: string;
  readonly frameBudget: number | null;
  /** Messages in both directions. */
  readonly messages: number;
  /** Round trips counted from the initiator: ceil(messages / 2). */
  readonly roundTrips: number;
  /** Frame bytes (4-byte length, 1-byte Sync tag, postcard message) from the initiator. */
  readonly bytesUp: number;
  /** Frame bytes from the responder. */
  readonly bytesDown: number;
  /** Items sent in both directions. */
  readonly valuesSent: number;
  /** Median wall time of the exchange in milliseconds (set-up excluded). */
  readonly milliseconds: number;
  /** Median CPU time (user + system) of this process during the exchange, in milliseconds. */
  readonly cpuMilliseconds: number;
  /** Whether the cell hit the time cap (then the other numbers are lower bounds). */
  readonly capped: boolean;
}

const ITEM_SIZE = 64 + 64 + varintLength(80) + 80 + varintLength(4096) + 32 + varintLength(1_700_000_000_000_000);
const FRAME_ENVELOPE = 5;

const traits: RangeItemTraits<BenchItem> = {
  key: (item) => item.key,
  compareValues: (a, b) => a.timestamp - b.timestamp,
  fingerprint: (item) => item.fingerprint,
  encodedSize: () => ITEM_SIZE,
};
const sizes: MessageSizeModel<BenchItem, Status> = createPostcardSizeModel(() => ITEM_SIZE);
const EMPTY_FINGERPRINT = Uint8Array.from(
  Buffer.from('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'hex'),
);

/** N items in key order: 8 authors, keys increasing within each, random fingerprints. */
function makeItems(n: number): BenchItem[] {
  const namespace = randomBytes(32);
  const authors = Array.from({ length: 8 }, () => randomBytes(32));
  authors.sort(Buffer.compare);
  const keys = new Uint8Array(n * 80);
  const fingerprints = new Uint8Array(randomBytes(n * 32));
  const suffixes = randomBytes(n * 8);
  const perAuthor = Math.ceil(n / 8);
  const items: BenchItem[] = [];
  for (let i = 0; i < n; i++) {
    const offset = i * 80;
    keys.set(namespace, offset);
    keys.set(authors[Math.floor(i / perAuthor)] as Buffer, offset + 32);
    const view = new DataView(keys.buffer, offset + 64, 16);
    view.setUint32(0, Math.floor(i / 2 ** 32));
    view.setUint32(4, i >>> 0);
    keys.set(suffixes.subarray(i * 8, i * 8 + 8), offset + 72);
    items.push({
      key: keys.subarray(offset, offset + 80),
      fingerprint: fingerprints.subarray(i * 32, i * 32 + 32),
      timestamp: 1_700_000_000_000_000 + i,
    });
  }
  return items;
}

function frameBytes(message: Message<BenchItem, Status>): number {
  let total = FRAME_ENVELOPE + varintLength(message.parts.length);
  for (const part of message.parts) {
    if (part.kind === 'fingerprint') {
      total += sizes.fingerprintPart(part.range);
    } else {
      total += sizes.itemsPart(part.range, part.values.length);
      for (const [item, status] of part.values) total += sizes.value(item, status);
    }
  }
  return total;
}

interface ExchangeResult {
  messages: number;
  bytesUp: number;
  bytesDown: number;
  valuesSent: number;
  milliseconds: number;
  cpuMilliseconds: number;
  capped: boolean;
}

async function exchange(
  base: FingerprintTree<BenchItem>,
  missingOnAlice: readonly BenchItem[],
  missingOnBob: readonly BenchItem[],
  settings: SplitSettings,
  frameBudget: number,
  cellSeconds: number,
): Promise<ExchangeResult> {
  const makeSide = (missing: readonly BenchItem[]) => {
    const tree = base.clone();
    for (const item of missing) tree.delete(item.key);
    const store = new TreeRangeStore(tree, EMPTY_FINGERPRINT, new Uint8Array(80));
    const reconciler = new Reconciler<BenchItem, Status>(store, traits, {
      ...settings,
      emptyFingerprint: EMPTY_FINGERPRINT,
      frameBudget,
      sizeModel: sizes,
    });
    const callbacks = {
      receive: (items: ReadonlyArray<readonly [BenchItem, Status]>) => {
        for (const [item] of items) {
          const existing = tree.get(item.key);
          if (existing === undefined || existing.timestamp < item.timestamp) tree.set(item);
        }
      },
      contentStatus: () => 0,
    };
    return { tree, reconciler, callbacks };
  };
  const alice = makeSide(missingOnAlice);
  const bob = makeSide(missingOnBob);
  const result: ExchangeResult = {
    messages: 0,
    bytesUp: 0,
    bytesDown: 0,
    valuesSent: 0,
    milliseconds: 0,
    cpuMilliseconds: 0,
    capped: false,
  };
  const count = (message: Message<BenchItem, Status>, up: boolean) => {
    result.messages++;
    const bytes = frameBytes(message);
    if (up) result.bytesUp += bytes;
    else result.bytesDown += bytes;
    for (const part of message.parts) if (part.kind === 'items') result.valuesSent += part.values.length;
  };
  // Collect the set-up's garbage first when the collector is exposed (NODE_OPTIONS=--expose-gc),
  // so the exchange is not billed for it.
  (globalThis as { gc?: () => void }).gc?.();
  const cpuStarted = process.cpuUsage();
  const started = performance.now();
  const deadline = started + cellSeconds * 1000;
  let next: Message<BenchItem, Status> | undefined = await alice.reconciler.initialMessage();
  while (next !== undefined) {
    count(next, true);
    const reply: Message<BenchItem, Status> | undefined = await bob.reconciler.processMessage(next, bob.callbacks);
    if (reply === undefined) break;
    count(reply, false);
    if (performance.now() > deadline) {
      result.capped = true;
      break;
    }
    next = await alice.reconciler.processMessage(reply, alice.callbacks);
  }
  result.milliseconds = performance.now() - started;
  const cpu = process.cpuUsage(cpuStarted);
  result.cpuMilliseconds = (cpu.user + cpu.system) / 1000;
  if (!result.capped && (alice.tree.size !== base.size || bob.tree.size !== base.size)) {
    throw new Error(`sync did not converge: ${alice.tree.size} / ${bob.tree.size} of ${base.size}`);
  }
  return result;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

/** Picks `d` distinct items, spread over the set. */
function pickDifferences(items: readonly BenchItem[], d: number): BenchItem[] {
  const picked = new Set<number>();
  let seed = 12345;
  while (picked.size < d) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    picked.add(seed % items.length);
  }
  return [...picked].map((index) => items[index] as BenchItem);
}

const budgetLabel = (budget: number | null): string =>
  budget === null ? 'none' : budget >= 1024 * 1024 ? `${budget / 1024 / 1024} MiB` : `${budget / 1024} KiB`;

/** Formats rows as one table. */
export function formatSyncBenchTable(rows: readonly SyncBenchRow[]): string {
  const header = ['N', 'd', 'mode', 'frame', 'round trips', 'messages', 'bytes up', 'bytes down', 'values', 'wall', 'CPU'];
  const lines = rows.map((row) => {
    const lower = row.capped ? '≥ ' : '';
    return [
      row.n.toLocaleString('en-US'),
      row.differences.toLocaleString('en-US'),
      row.mode,
      budgetLabel(row.frameBudget),
      `${lower}${row.roundTrips}`,
      `${lower}${row.messages}`,
      `${lower}${row.bytesUp.toLocaleString('en-US')}`,
      `${lower}${row.bytesDown.toLocaleString('en-US')}`,
      `${lower}${row.valuesSent.toLocaleString('en-US')}`,
      row.capped ? `capped at ${(row.milliseconds / 1000).toFixed(0)} s` : `${(row.milliseconds / 1000).toFixed(2)} s`,
      `${lower}${(row.cpuMilliseconds / 1000).toFixed(2)} s`,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => (line[column] as string).length)));
  const format = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] as number)).join(' | ')} |`;
  return [format(header), format(widths.map((width) => '-'.repeat(width))), ...lines.map(format)].join('\n');
}

/** Runs the benchmark and returns one row per cell (and prints them unless `log: false`). */
export async function runSyncBench(options: SyncBenchOptions = {}): Promise<SyncBenchRow[]> {
  const n = options.n ?? Number(process.env.BENCH_N ?? 1_000_000);
  const differences = options.differences ?? [0, 1, 100, 1_000, 10_000];
  const modes = options.modes ?? SYNC_MODES;
  const budgets = options.budgets ?? [Number.POSITIVE_INFINITY, 4 * 1024 * 1024, 64 * 1024];
  const runs = options.runs ?? Number(process.env.BENCH_RUNS ?? 1);
  const cellSeconds = options.cellSeconds ?? Number(process.env.BENCH_CELL_SECONDS ?? 60);
  const log = options.log ?? true;

  const setupStarted = performance.now();
  const items = makeItems(n);
  const base = FingerprintTree.fromSorted(traits, items);
  if (log) console.log(`set-up: ${n.toLocaleString('en-US')} items in ${((performance.now() - setupStarted) / 1000).toFixed(1)} s`);

  const rows: SyncBenchRow[] = [];
  for (const d of differences) {
    const picked = pickDifferences(items, Math.min(d, n));
    const missingOnAlice = picked.filter((_, i) => i % 2 === 0);
    const missingOnBob = picked.filter((_, i) => i % 2 === 1);
    for (const [mode, settings] of Object.entries(modes)) {
      for (const budget of budgets) {
        const results: ExchangeResult[] = [];
        for (let run = 0; run < runs; run++) {
          const result = await exchange(base, missingOnAlice, missingOnBob, settings, budget, cellSeconds);
          results.push(result);
          if (result.capped) break;
        }
        const last = results[results.length - 1] as ExchangeResult;
        const row: SyncBenchRow = {
          n,
          differences: d,
          mode,
          frameBudget: budget === Number.POSITIVE_INFINITY ? null : budget,
          messages: last.messages,
          roundTrips: Math.ceil(last.messages / 2),
          bytesUp: last.bytesUp,
          bytesDown: last.bytesDown,
          valuesSent: last.valuesSent,
          milliseconds: last.capped ? last.milliseconds : median(results.map((result) => result.milliseconds)),
          cpuMilliseconds: last.capped ? last.cpuMilliseconds : median(results.map((result) => result.cpuMilliseconds)),
          capped: last.capped,
        };
        rows.push(row);
        if (log) console.log(formatSyncBenchTable([row]).split('\n')[2]);
      }
    }
  }
  if (log) {
    console.log(`\nRBSR sync of two sets of ${n.toLocaleString('en-US')} items (Node ${process.version}, median of ${runs})\n`);
    console.log(formatSyncBenchTable(rows));
  }
  if (options.jsonPath !== undefined) writeFileSync(options.jsonPath, `${JSON.stringify(rows, null, 2)}\n`);
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) {
  const jsonIndex = process.argv.indexOf('--json');
  const jsonPath = jsonIndex > 0 ? process.argv[jsonIndex + 1] : undefined;
  await runSyncBench(jsonPath === undefined ? {} : { jsonPath });
}
