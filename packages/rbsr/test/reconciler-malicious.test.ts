import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FingerprintTree,
  Reconciler,
  RBSR_ERROR_CODES,
  SYNC_MODES,
  TreeRangeStore,
  type Message,
  type MessagePart,
  type Range,
  type RangeStore,
} from '@docs/rbsr';
import { createPeer, messageSize, process, testSizeModel, type TestStatus } from './helpers/sync-driver.js';
import { EMPTY_FINGERPRINT, item, testTraits, textKey, type TestItem } from './helpers/test-items.js';

const SEED = 0xbad_5eed;
type Part = MessagePart<TestItem, TestStatus>;

/** Keys `k0000`..: a store of `n` items. */
function numberedItems(n: number): TestItem[] {
  return Array.from({ length: n }, (_, i) => item(`k${String(i).padStart(4, '0')}`, 1));
}

const range = (x: string, y: string): Range => ({ x: textKey(x), y: textKey(y) });
const message = (...parts: Part[]): Message<TestItem, TestStatus> => ({ parts });
const randomFingerprint = (seed: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (seed * 31 + i * 7) & 0xff);

/** A RangeStore wrapper counting how many items the engine pulls from `items`. */
class CountingStore implements RangeStore<TestItem> {
  itemsPulled = 0;
  constructor(private readonly inner: RangeStore<TestItem>) {}
  firstKey() { return this.inner.firstKey(); }
  count(r: Range) { return this.inner.count(r); }
  fingerprint(r: Range) { return this.inner.fingerprint(r); }
  keyAt(r: Range, index: number) { return this.inner.keyAt(r, index); }
  async *items(r: Range): AsyncGenerator<TestItem> {
    for await (const entry of this.inner.items(r)) {
      this.itemsPulled++;
      yield entry;
    }
  }
}

function treeStore(entries: readonly TestItem[]): TreeRangeStore<TestItem> {
  return new TreeRangeStore(FingerprintTree.fromSorted(testTraits, entries), EMPTY_FINGERPRINT);
}

const noopCallbacks = {
  receive: () => {},
  contentStatus: (): TestStatus => 'complete',
};

describe('malicious or malformed messages', () => {
  it('a range outside the set is answered with an empty item request', async () => {
    const peer = createPeer(numberedItems(100), { ...SYNC_MODES.tuned });
    const reply = await process(peer, message({ kind: 'fingerprint', range: range('zz', 'zzz'), fingerprint: randomFingerprint(1) }));
    expect(reply?.parts).toEqual([{ kind: 'items', range: range('zz', 'zzz'), values: [], haveLocal: false }]);
  });

  it('a fingerprint for a range we hold nothing in, and an empty fingerprint for a full range, are answered within the budget', async () => {
    const budget = 1500;
    const store = new CountingStore(treeStore(numberedItems(5000)));
    const reconciler = new Reconciler<TestItem, TestStatus>(store, testTraits, {
      ...SYNC_MODES.tuned,
      emptyFingerprint: EMPTY_FINGERPRINT,
      sizeModel: testSizeModel,
      frameBudget: budget,
    });
    const reply = await reconciler.processMessage(
      message(
        { kind: 'fingerprint', range: range('a', 'b'), fingerprint: randomFingerprint(2) },
        { kind: 'fingerprint', range: range('k', 'k'), fingerprint: EMPTY_FINGERPRINT },
      ),
      noopCallbacks,
    );
    expect(reply).toBeDefined();
    expect(messageSize(reply!)).toBeLessThanOrEqual(budget);
    const [request, chunk, deferral] = reply!.parts;
    expect(request).toEqual({ kind: 'items', range: range('a', 'b'), values: [], haveLocal: false });
    // The whole set does not fit: the first items in order, then our fingerprint of the rest.
    expect(chunk?.kind).toBe('items');
    expect(chunk?.kind === 'items' && chunk.values.length).toBeGreaterThan(10);
    expect(chunk?.range.x).toEqual(textKey('k'));
    expect(deferral?.kind).toBe('fingerprint');
    expect(deferral?.range).toEqual({ x: chunk!.range.y, y: textKey('k') });
    // The engine streamed: it read about one frame of items, not the 5000.
    expect(store.itemsPulled).toBeLessThan(200);
  });

  it('absurd value counts are refused by the incoming limit before any callback runs', async () => {
    const peer = createPeer(numberedItems(10), { ...SYNC_MODES.tuned, maxIncomingValues: 1000, maxIncomingParts: 50 });
    const values = numberedItems(5000).map((entry): [TestItem, TestStatus] => [entry, 'complete']);
    const flood = message({ kind: 'items', range: range('k', 'k'), values, haveLocal: false });
    await expect(process(peer, flood)).rejects.toMatchObject({ name: 'DocsError', code: RBSR_ERROR_CODES.messageTooLarge });
    expect(peer.validated).toEqual([]);
    const manyParts = message(...Array.from({ length: 51 }, (): Part => ({ kind: 'fingerprint', range: range('a', 'b'), fingerprint: EMPTY_FINGERPRINT })));
    await expect(process(peer, manyParts)).rejects.toMatchObject({ code: RBSR_ERROR_CODES.messageTooLarge });
  });

  it('malformed parts are refused with DOCS_RBSR_INVALID_MESSAGE', async () => {
    const peer = createPeer(numberedItems(10));
    await expect(
      process(peer, message({ kind: 'fingerprint', range: range('a', 'b'), fingerprint: new Uint8Array(31) })),
    ).rejects.toMatchObject({ code: RBSR_ERROR_CODES.invalidMessage });
    const badRange = { x: 'a', y: textKey('b') } as unknown as Range;
    await expect(process(peer, message({ kind: 'fingerprint', range: badRange, fingerprint: EMPTY_FINGERPRINT }))).rejects.toMatchObject({
      code: RBSR_ERROR_CODES.invalidMessage,
    });
  });

  it('repeated parts are answered once', async () => {
    const peer = createPeer(numberedItems(300), { ...SYNC_MODES.tuned });
    const part: Part = { kind: 'fingerprint', range: range('k0100', 'k0200'), fingerprint: randomFingerprint(3) };
    const once = await process(peer, message(part));
    const repeated = await process(peer, message(...Array.from({ length: 1000 }, () => part)));
    expect(repeated).toEqual(once);
    expect(once?.parts).toHaveLength(16);
  });

  it('values outside their part range are ignored', async () => {
    const peer = createPeer([]);
    await process(peer, message({ kind: 'items', range: range('a', 'b'), values: [[item('a1'), 'complete'], [item('c'), 'complete']], haveLocal: true }));
    expect(peer.validated.map((entry) => entry.key)).toEqual([textKey('a1')]);
    expect(peer.all()).toHaveLength(1);
  });

  it('a budget that cannot hold any part of the answer is reported, not looped on', async () => {
    const longKeys = Array.from({ length: 50 }, (_, i) => item(`${'x'.repeat(30)}${String(i).padStart(3, '0')}`));
    const peer = createPeer(longKeys, { ...SYNC_MODES.tuned, frameBudget: 120 });
    const first = longKeys[0]!.key;
    await expect(
      process(peer, message({ kind: 'fingerprint', range: { x: first, y: first }, fingerprint: randomFingerprint(4) })),
    ).rejects.toMatchObject({ code: RBSR_ERROR_CODES.frameBudgetTooSmall });
  });

  it('random garbage messages never crash, never exceed the budget and read a bounded number of items', async () => {
    const entries = numberedItems(400);
    const keyPool = fc.oneof(
      fc.constantFrom(...entries.map((entry) => entry.key)),
      fc.uint8Array({ maxLength: 6 }),
    );
    const rangeArbitrary = fc.record({ x: keyPool, y: keyPool });
    const valueArbitrary = fc.tuple(
      fc.record({ key: keyPool, value: fc.integer({ min: 0, max: 3 }) }),
      fc.constant<TestStatus>('complete'),
    );
    const partArbitrary: fc.Arbitrary<Part> = fc.oneof(
      fc.record({ kind: fc.constant('fingerprint' as const), range: rangeArbitrary, fingerprint: fc.oneof(fc.constant(EMPTY_FINGERPRINT), fc.uint8Array({ minLength: 32, maxLength: 32 })) }),
      fc.record({ kind: fc.constant('items' as const), range: rangeArbitrary, values: fc.array(valueArbitrary, { maxLength: 20 }), haveLocal: fc.boolean() }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(partArbitrary, { minLength: 1, maxLength: 40 }), fc.constantFrom(600, 2000, 8000), async (parts, budget) => {
        const store = new CountingStore(treeStore(entries));
        const reconciler = new Reconciler<TestItem, TestStatus>(store, testTraits, {
          ...SYNC_MODES.tuned,
          emptyFingerprint: EMPTY_FINGERPRINT,
          sizeModel: testSizeModel,
          frameBudget: budget,
        });
        const reply = await reconciler.processMessage({ parts }, noopCallbacks);
        if (reply !== undefined) expect(messageSize(reply)).toBeLessThanOrEqual(budget);
        const incomingValues = parts.reduce((total, part) => total + (part.kind === 'items' ? part.values.length : 0), 0);
        // Per answered range at most one frame of items plus the peer's own values (skipped in a diff).
        expect(store.itemsPulled).toBeLessThanOrEqual(parts.length * (budget / 10 + 2) + incomingValues);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('Reconciler options', () => {
  const store = treeStore([]);
  const make = (options: object) => () =>
    new Reconciler<TestItem, TestStatus>(store, testTraits, { emptyFingerprint: EMPTY_FINGERPRINT, ...options });

  it('rejects invalid settings', () => {
    expect(make({ splitFactor: 1 })).toThrow(RangeError);
    expect(make({ splitFactor: 2.5 })).toThrow(RangeError);
    expect(make({ maxSetSize: -1 })).toThrow(RangeError);
    expect(make({ maxReplySetSize: 0 })).toThrow(RangeError);
    expect(make({ frameBudget: 0 })).toThrow(RangeError);
    expect(make({ maxIncomingParts: -1 })).toThrow(RangeError);
    expect(make({ emptyFingerprint: new Uint8Array(16) })).toThrow(TypeError);
    const { encodedSize: _unused, ...withoutSize } = testTraits;
    expect(() => new Reconciler<TestItem, TestStatus>(store, withoutSize, { emptyFingerprint: EMPTY_FINGERPRINT })).toThrow(TypeError);
    expect(
      () => new Reconciler<TestItem, TestStatus>(store, withoutSize, { emptyFingerprint: EMPTY_FINGERPRINT, frameBudget: Number.POSITIVE_INFINITY }),
    ).not.toThrow();
  });

  it('the initial message of an empty store is the whole-set fingerprint at the default key', async () => {
    const empty = new TreeRangeStore(new FingerprintTree<TestItem>(testTraits), EMPTY_FINGERPRINT, new Uint8Array(64));
    const reconciler = new Reconciler<TestItem, TestStatus>(empty, testTraits, { emptyFingerprint: EMPTY_FINGERPRINT });
    expect(await reconciler.initialMessage()).toEqual({
      parts: [{ kind: 'fingerprint', range: { x: new Uint8Array(64), y: new Uint8Array(64) }, fingerprint: EMPTY_FINGERPRINT }],
    });
  });
});
