import { compareBytes } from '@docs/crypto';
import { EMPTY_HASH, RecordIdentifier, createRecord, type SignedEntry } from '@docs/entry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreModel } from '../src/conformance/model.js';
import { finishQuery, planQuery, type Query } from '../src/query.js';

const PROPERTY_SEED = 20_241_126;
const NAMESPACE = new Uint8Array(32).fill(9);
const AUTHORS = [1, 2, 3].map((byte) => new Uint8Array(32).fill(byte));
const NO_SIGNATURE = new Uint8Array(64);

/** An unsigned entry: queries never look at signatures. */
function entry(author: number, key: number[], timestamp: number, content: number | 'empty'): SignedEntry {
  const hash = content === 'empty' ? EMPTY_HASH : new Uint8Array(32).fill(content);
  return {
    signature: { authorSignature: NO_SIGNATURE, namespaceSignature: NO_SIGNATURE },
    entry: {
      id: RecordIdentifier.of(NAMESPACE, AUTHORS[author]!, new Uint8Array(key)),
      record: createRecord(hash, content === 'empty' ? 0 : 1, timestamp),
    },
  };
}

const key = fc.array(fc.constantFrom(0, 0x61, 0xff), { maxLength: 3 });
const entryArbitrary = fc
  .tuple(fc.nat(2), key, fc.integer({ min: 1, max: 8 }), fc.oneof(fc.constant('empty' as const), fc.integer({ min: 1, max: 3 })))
  .map(([author, bytes, timestamp, content]) => entry(author, bytes, timestamp, content));
const queryArbitrary: fc.Arbitrary<Query> = fc
  .record(
    {
      kind: fc.constantFrom('flat' as const, 'single-latest-per-key' as const),
      sortBy: fc.constantFrom('author-key' as const, 'key-author' as const),
      author: fc.nat(2).map((index) => AUTHORS[index]!),
      key: key.map((bytes) => new Uint8Array(bytes)),
      keyPrefix: key.map((bytes) => new Uint8Array(bytes)),
      direction: fc.constantFrom('asc' as const, 'desc' as const),
      offset: fc.nat(4),
      limit: fc.nat(5),
      includeEmpty: fc.boolean(),
    },
    { requiredKeys: [] },
  )
  .filter((query) => !(query.key !== undefined && query.keyPrefix !== undefined))
  .map((query) => (query.kind === 'single-latest-per-key' ? { ...query, sortBy: undefined } : query))
  .map((query) => Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) as Query);

/** All of the namespace's entries in the plan's index order and direction: the superset a backend may yield. */
function candidatesInPlanOrder(model: StoreModel, query: Query): SignedEntry[] {
  const plan = planQuery(query);
  const entries = model.entries(NAMESPACE);
  if (plan.order === 'key-author') {
    entries.sort((a, b) => compareBytes(a.entry.id.key, b.entry.id.key) || compareBytes(a.entry.id.author, b.entry.id.author));
  }
  return plan.direction === 'desc' ? entries.reverse() : entries;
}

describe('planQuery', () => {
  it('picks the by-key index for key-author order without an author and for single-latest-per-key', () => {
    expect(planQuery().order).toBe('author-key');
    expect(planQuery({ sortBy: 'key-author' }).order).toBe('key-author');
    expect(planQuery({ sortBy: 'key-author', author: AUTHORS[0]! }).order).toBe('author-key');
    expect(planQuery({ kind: 'single-latest-per-key', author: AUTHORS[0]! }).order).toBe('key-author');
    expect(planQuery({ direction: 'desc' }).direction).toBe('desc');
  });

  it('refuses contradictory or malformed queries', () => {
    expect(() => planQuery({ key: new Uint8Array(), keyPrefix: new Uint8Array() })).toThrow(TypeError);
    expect(() => planQuery({ kind: 'single-latest-per-key', sortBy: 'author-key' })).toThrow(TypeError);
    expect(() => planQuery({ offset: -1 })).toThrow(RangeError);
    expect(() => planQuery({ limit: 0.5 })).toThrow(RangeError);
  });
});

describe('finishQuery', () => {
  it('over candidates in plan order equals the naive model for random entries and queries (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArbitrary, { maxLength: 30 }), queryArbitrary, async (entries, query) => {
        const model = new StoreModel();
        for (const signed of entries) model.put(signed);
        const finished: SignedEntry[] = [];
        for await (const signed of finishQuery(candidatesInPlanOrder(model, query), query)) finished.push(signed);
        expect(finished).toEqual(model.query(NAMESPACE, query));
      }),
      { seed: PROPERTY_SEED, numRuns: 1_500 },
    );
  });

  it('stops reading candidates once the limit is reached', async () => {
    let read = 0;
    function* candidates(): Generator<SignedEntry> {
      for (let index = 0; index < 100; index++) {
        read++;
        yield entry(0, [index], 1, 1);
      }
    }
    const out: SignedEntry[] = [];
    for await (const signed of finishQuery(candidates(), { limit: 3 })) out.push(signed);
    expect(out).toHaveLength(3);
    expect(read).toBe(3);
  });
});
