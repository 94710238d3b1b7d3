import { bytesToHex } from '@docs/crypto';
import { EMPTY_HASH, RecordIdentifier, createRecord, encodeSignedEntry, type SignedEntry } from '@docs/entry';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StoreModel } from '../src/conformance/model.js';
import { blocksInsert, replaces } from '../src/insert-rule.js';

const PROPERTY_SEED = 20_241_127;
const NAMESPACE = new Uint8Array(32).fill(4);
const NO_SIGNATURE = new Uint8Array(64);

function entry(author: number, key: number[], timestamp: number, hashByte: number | 'empty'): SignedEntry {
  return {
    signature: { authorSignature: NO_SIGNATURE, namespaceSignature: NO_SIGNATURE },
    entry: {
      id: RecordIdentifier.of(NAMESPACE, new Uint8Array(32).fill(author), new Uint8Array(key)),
      record: createRecord(hashByte === 'empty' ? EMPTY_HASH : new Uint8Array(32).fill(hashByte), hashByte === 'empty' ? 0 : 1, timestamp),
    },
  };
}

describe('blocksInsert / replaces', () => {
  it('order records by (timestamp, hash); an equal value blocks and is replaced', () => {
    const older = entry(1, [1], 1, 9);
    const newer = entry(1, [1], 2, 1);
    expect(blocksInsert(newer, older)).toBe(true);
    expect(blocksInsert(older, newer)).toBe(false);
    expect(blocksInsert(older, older)).toBe(true);
    expect(replaces(newer, older)).toBe(true);
    expect(replaces(older, newer)).toBe(false);
    expect(replaces(older, older)).toBe(true);
    // Same timestamp: the bigger hash wins; the length is ignored.
    expect(blocksInsert(entry(1, [1], 5, 2), entry(1, [1], 5, 3))).toBe(false);
    expect(blocksInsert(entry(1, [1], 5, 3), entry(1, [1], 5, 2))).toBe(true);
  });

  it('the final state does not depend on the order of inserts (so replicas converge), seeded', () => {
    const arbitrary = fc.array(
      fc
        .tuple(
          fc.nat(1),
          fc.array(fc.constantFrom(0, 1, 0xff), { maxLength: 3 }),
          fc.integer({ min: 1, max: 6 }),
          fc.oneof(fc.constant('empty' as const), fc.integer({ min: 1, max: 2 })),
        )
        .map(([author, key, timestamp, hash]) => entry(author, key, timestamp, hash)),
      { maxLength: 25 },
    );
    const state = (entries: readonly SignedEntry[]): string[] => {
      const model = new StoreModel();
      for (const signed of entries) model.put(signed);
      return model.entries(NAMESPACE).map((signed) => bytesToHex(encodeSignedEntry(signed)));
    };
    fc.assert(
      fc.property(arbitrary, fc.func(fc.integer()), (entries, rank) => {
        const shuffled = entries
          .map((signed, index) => ({ signed, order: rank(index) }))
          .sort((a, b) => a.order - b.order)
          .map(({ signed }) => signed);
        expect(state(shuffled)).toEqual(state(entries));
      }),
      { seed: PROPERTY_SEED, numRuns: 2_000 },
    );
  });
});
