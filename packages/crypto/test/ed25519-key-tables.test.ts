import { describe, expect, it } from 'vitest';
import { FIRST_TABLE_AFTER, KeyTables, NEXT_TABLE_AFTER } from '../src/ed25519-key-tables.js';

/** Runs one job and returns its tables, and the tables it built as `key:table`. */
function job(tables: KeyTables, verifications: Record<string, number>): { assigned: Record<string, number>; built: string[] } {
  const built: string[] = [];
  const assigned = tables.assign(new Map(Object.entries(verifications)), (key, table) => built.push(`${key}:${table}`));
  return { assigned: Object.fromEntries(assigned), built };
}

describe('KeyTables', () => {
  it('builds a table once a key was verified FIRST_TABLE_AFTER times, counting over jobs', () => {
    const tables = new KeyTables(2);
    expect(job(tables, { a: FIRST_TABLE_AFTER - 1 })).toEqual({ assigned: { a: 0 }, built: [] });
    expect(job(tables, { a: 1 })).toEqual({ assigned: { a: 1 }, built: ['a:1'] });
    expect(job(tables, { a: 5 })).toEqual({ assigned: { a: 1 }, built: [] });
    expect(job(tables, { b: 1000 })).toEqual({ assigned: { b: 2 }, built: ['b:2'] });
  });

  it('replaces the least recently used table, never one the same job uses, and gives free tables to the most used keys', () => {
    const tables = new KeyTables(2);
    job(tables, { a: 100, b: 100 }); // a:1 (most used first: equal, insertion order), b:2
    job(tables, { a: 1 }); // a is now the most recently used
    expect(job(tables, { c: 100 })).toEqual({ assigned: { c: 2 }, built: ['c:2'] });
    // a and c hold both tables and this job uses both: d gets none.
    expect(job(tables, { a: 1, c: 1, d: 500 })).toEqual({ assigned: { a: 1, c: 2, d: 0 }, built: [] });
    // Two candidates, one table free (a is not in the job): the more used one gets it.
    expect(job(tables, { c: 1, e: 100, f: 400 })).toEqual({ assigned: { c: 2, e: 0, f: 1 }, built: ['f:1'] });
  });

  it('asks NEXT_TABLE_AFTER verifications of a key that lost its table', () => {
    const tables = new KeyTables(1);
    job(tables, { a: FIRST_TABLE_AFTER });
    job(tables, { b: FIRST_TABLE_AFTER }); // replaces a
    expect(job(tables, { a: NEXT_TABLE_AFTER - 1 }).assigned).toEqual({ a: 0 });
    expect(job(tables, { a: 1 })).toEqual({ assigned: { a: 1 }, built: ['a:1'] });
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new KeyTables(0)).toThrow(RangeError);
    expect(() => new KeyTables(1.5)).toThrow(RangeError);
  });
});
