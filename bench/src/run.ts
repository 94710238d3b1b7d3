/**
 * `pnpm bench`: every package's benchmark and the cross-package ones, one summary table, JSON in bench/results/.
 * `pnpm bench --smoke` runs each at a tiny size (CI runs it so benchmarks cannot rot). Names after the flags pick
 * suites: `pnpm bench rbsr store-level`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { runCryptoBench } from '../../packages/crypto/bench/crypto.bench.ts';
import { runEntryBench } from '../../packages/entry/bench/entry.bench.ts';
import { runSyncBench } from '../../packages/rbsr/bench/sync.bench.ts';
import { runReplicaBench } from '../../packages/replica/bench/replica.bench.ts';
import { runStoreLevelBench } from '../../packages/store-level/bench/store-level.bench.ts';
import { runStoreMemoryBench } from '../../packages/store-memory/bench/store-memory.bench.ts';
import { runVerifyPoolBench } from './verify-pool.bench.ts';
import { formatTable, type Table } from './table.ts';
import { summarize, type SuiteResults } from './summary.ts';

const smoke = process.argv.includes('--smoke');
const picked = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));

type Rows = readonly object[];
const suites: Record<keyof SuiteResults, () => Promise<Rows>> = {
  crypto: () => runCryptoBench(smoke ? { runs: 1, runMilliseconds: 30, print: false } : { print: false }),
  verifyPool: () => runVerifyPoolBench(smoke ? { signatures: 200, runs: 1 } : {}),
  entry: () => runEntryBench(smoke ? { entries: 50, runs: 1 } : {}),
  rbsr: () => runSyncBench(smoke ? { n: 5_000, differences: [0, 10], runs: 1 } : {}),
  storeMemory: () =>
    runStoreMemoryBench(smoke ? { entries: 5_000, insertEntries: 200, runs: 1, ranges: 20, print: false } : { print: false }),
  storeLevel: () =>
    runStoreLevelBench(smoke ? { sizes: [2_000], runs: 1, ranges: 10, print: false } : { print: false }),
  replica: () => runReplicaBench(smoke ? { inserts: 100, entries: 2_000, runs: 1, samples: 5 } : {}),
};

const results: Partial<Record<keyof SuiteResults, Rows>> = {};
for (const [name, run] of Object.entries(suites) as [keyof SuiteResults, () => Promise<Rows>][]) {
  if (picked.length > 0 && !picked.includes(name)) continue;
  const started = performance.now();
  process.stderr.write(`running ${name}${smoke ? ' (smoke)' : ''}…\n`);
  results[name] = await run();
  console.log(formatTable({ title: `${name} (${((performance.now() - started) / 1000).toFixed(1)} s)`, rows: results[name]! }));
  console.log();
}

const summary: Table = { title: 'summary', rows: summarize(results) };
console.log(formatTable(summary));

const machine = {
  cpus: availableParallelism(),
  cpu: cpus()[0]?.model ?? 'unknown',
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  date: new Date().toISOString(),
  smoke,
};
mkdirSync(new URL('../results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL(`../results/${smoke ? 'smoke' : 'latest'}.json`, import.meta.url),
  JSON.stringify({ machine, summary: summary.rows, results }, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value), 2),
);
console.log(`\nmachine: ${machine.cpus} cores (${machine.cpu}), ${machine.memoryGiB} GiB, Node ${machine.node}`);
