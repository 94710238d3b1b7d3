/**
 * `pnpm bench`: every package's benchmark and the cross-package ones, one summary table, JSON in bench/results/.
 * `pnpm bench --smoke` runs each at a tiny size (CI runs it so benchmarks cannot rot). Names after the flags pick
 * suites: `pnpm bench rbsr store-level`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { formatTable, type Table } from './table.ts';
import { benchSuites, type Rows, type SuiteName } from './suites.ts';
import { summarize } from './summary.ts';

const smoke = process.argv.includes('--smoke');
const picked = process.argv.slice(2).filter((argument) => !argument.startsWith('--'));

const results: Partial<Record<SuiteName, Rows>> = {};
for (const [name, run] of Object.entries(benchSuites(smoke)) as [SuiteName, () => Promise<Rows>][]) {
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
