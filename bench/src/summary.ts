import type { Rows, SuiteName } from './suites.ts';

/** Raw rows of every suite, by suite name. */
export type SuiteResults = Readonly<Record<SuiteName, Rows>>;
type Row = Readonly<Record<string, unknown>>;

/** One line of the summary: a measurement beside the comparison made in the same run. */
export interface SummaryRow {
  readonly area: string;
  readonly measurement: string;
  readonly value: number;
  readonly unit: string;
  readonly comparedWith: string;
  readonly comparedValue: number | undefined;
}

const find = (rows: Rows | undefined, match: Record<string, unknown>): Row | undefined =>
  (rows as readonly Row[] | undefined)?.find((row) => Object.entries(match).every(([key, value]) => row[key] === value));
const number = (row: Row | object | undefined, key: string): number | undefined =>
  typeof (row as Row | undefined)?.[key] === 'number' ? ((row as Row)[key] as number) : undefined;
const field = (row: object | undefined, key: string): unknown => (row as Row | undefined)?.[key];
const rowsOf = (rows: Rows | undefined): readonly Row[] => (rows ?? []) as readonly Row[];

/** The headline numbers of a run, each next to its comparison. */
export function summarize(results: Partial<SuiteResults>): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const add = (row: Omit<SummaryRow, 'value'> & { value: number | undefined }) => {
    if (row.value !== undefined) rows.push(row as SummaryRow);
  };

  for (const [name, label] of [['ed25519 sign', 'sign'], ['ed25519 verify, one key', 'verify']] as const) {
    add({
      area: 'crypto',
      measurement: `${label}, native (node:crypto)`,
      value: number(find(results.crypto, { name, variant: 'native (node:crypto)' }), 'median'),
      unit: 'ops/s',
      comparedWith: 'portable (@noble/ed25519)',
      comparedValue: number(find(results.crypto, { name, variant: 'portable (@noble/ed25519)' }), 'median'),
    });
  }
  const pool = results.verifyPool;
  add({
    area: 'crypto',
    measurement: 'verifyMany (all cores)',
    value: number(pool?.[1], 'perSecond'),
    unit: 'signatures/s',
    comparedWith: 'verify one after the other',
    comparedValue: number(pool?.[0], 'perSecond'),
  });
  add({
    area: 'crypto',
    measurement: 'blake3 1 MiB one-shot',
    value: number(find(results.crypto, { name: 'blake3 1 MiB', variant: 'one-shot' }), 'median'),
    unit: 'MB/s',
    comparedWith: 'streaming',
    comparedValue: number(find(results.crypto, { name: 'blake3 1 MiB', variant: 'streaming (64 KiB updates)' }), 'median'),
  });
  for (const operation of ['sign entry', 'verify entry'] as const) {
    add({
      area: 'entry',
      measurement: `${operation} (both signatures), native`,
      value: number(find(results.entry, { operation, path: 'native' }), 'perSecond'),
      unit: 'entries/s',
      comparedWith: 'portable',
      comparedValue: number(find(results.entry, { operation, path: 'portable' }), 'perSecond'),
    });
  }

  const rbsr = rowsOf(results.rbsr);
  const largest = Math.max(0, ...rbsr.map((row) => number(row, 'n') ?? 0));
  for (const differences of [1, 1_000]) {
    const tuned = find(rbsr, { n: largest, differences, mode: 'tuned', frameBudget: null });
    const compat = find(rbsr, { n: largest, differences, mode: 'compat', frameBudget: null });
    add({
      area: 'rbsr',
      measurement: `round trips, ${largest.toLocaleString('en-US')} items, ${differences} differences, tuned`,
      value: number(tuned, 'roundTrips'),
      unit: 'round trips',
      comparedWith: 'compat mode',
      comparedValue: number(compat, 'roundTrips'),
    });
    add({
      area: 'rbsr',
      measurement: `wall time, ${largest.toLocaleString('en-US')} items, ${differences} differences, tuned`,
      value: number(tuned, 'milliseconds'),
      unit: 'ms',
      comparedWith: 'compat mode',
      comparedValue: number(compat, 'milliseconds'),
    });
  }

  const level = rowsOf(results.storeLevel);
  const levelSize = Math.max(0, ...level.map((row) => number(row, 'entries') ?? 0));
  const levelRow = level.find((row) => row['entries'] === levelSize && String(row['backend']).includes('classic'));
  const memoryRow = level.find((row) => row['entries'] === levelSize && String(row['backend']).includes('memory'));
  add({
    area: 'store',
    measurement: `range fingerprint median, ${levelSize.toLocaleString('en-US')} entries, LevelDB`,
    value: number(levelRow, 'fingerprintMedianMs'),
    unit: 'ms',
    comparedWith: String(field(memoryRow, 'backend') ?? 'memory'),
    comparedValue: number(memoryRow, 'fingerprintMedianMs'),
  });
  add({
    area: 'store',
    measurement: `batched inserts, ${levelSize.toLocaleString('en-US')} entries, LevelDB`,
    value: number(levelRow, 'batchedInsertsPerSecond'),
    unit: 'entries/s',
    comparedWith: String(field(memoryRow, 'backend') ?? 'memory'),
    comparedValue: number(memoryRow, 'batchedInsertsPerSecond'),
  });
  add({
    area: 'store',
    measurement: `open, ${levelSize.toLocaleString('en-US')} entries, LevelDB`,
    value: number(levelRow, 'openMs'),
    unit: 'ms',
    comparedWith: '',
    comparedValue: undefined,
  });

  const insert = rowsOf(results.replica).find((row) => String(row['operation']).includes('insert'));
  add({
    area: 'replica',
    measurement: String(field(insert, 'operation') ?? 'insert'),
    value: number(insert, 'value'),
    unit: String(field(insert, 'unit') ?? ''),
    comparedWith: 'native entry signing (limit)',
    comparedValue: number(find(results.entry, { operation: 'sign entry', path: 'native' }), 'perSecond'),
  });
  const transport = rowsOf(results.syncTransport);
  const initial = transport.find((row) => String(row['scenario']).startsWith('initial sync'));
  const verification = transport.find((row) => String(row['scenario']).includes('batched'));
  add({
    area: 'sync (TCP, LevelDB)',
    measurement: String(field(initial, 'scenario') ?? 'initial sync'),
    value: number(initial, 'entriesPerSecond'),
    unit: 'entries/s',
    comparedWith: 'native verification limit (2 signatures per entry)',
    comparedValue: number(verification, 'entriesPerSecond'),
  });
  const difference = transport.find((row) => String(row['scenario']).startsWith('sync,'));
  add({
    area: 'sync (TCP, LevelDB)',
    measurement: String(field(difference, 'scenario') ?? 'sync with differences'),
    value: number(difference, 'wallMs'),
    unit: 'ms',
    comparedWith: 'round trips',
    comparedValue: number(difference, 'roundTrips'),
  });
  return rows;
}
