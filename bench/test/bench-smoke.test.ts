import { describe, expect, test } from 'vitest';
import { benchSuites, type SuiteName } from '../src/suites.ts';
import { summarize } from '../src/summary.ts';
import { formatTable } from '../src/table.ts';

// Every benchmark at a tiny size, so that `pnpm bench` cannot rot unnoticed; the numbers are not checked.
describe('benchmarks still run (smoke sizes)', () => {
  const results: Partial<Record<SuiteName, readonly object[]>> = {};
  for (const [name, run] of Object.entries(benchSuites(true)) as [SuiteName, () => Promise<readonly object[]>][]) {
    test(name, async () => {
      const rows = await run();
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) {
        for (const value of Object.values(row)) if (typeof value === 'number') expect(Number.isNaN(value)).toBe(false);
      }
      results[name] = rows;
      expect(formatTable({ title: name, rows })).toContain(`## ${name}`);
    }, 180_000);
  }
  test('the summary has the crypto and store comparisons', () => {
    const summary = summarize(results);
    expect(summary.some((row) => row.area === 'crypto' && row.comparedValue !== undefined)).toBe(true);
    expect(summary.some((row) => row.area === 'store')).toBe(true);
  });
});
