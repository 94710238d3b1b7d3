import { describe, expect, it } from 'vitest';
import { SYNC_MODES, type Message, type Range } from '@docs/rbsr';
import {
  createPeer,
  process,
  testSizeModel,
  expectedMerge,
  runExchange,
  type Exchange,
  type StoreKind,
  type TestPeer,
  type TestPeerOptions,
  type TestStatus,
} from './helpers/sync-driver.js';
import { describeItem, item, items, keyText, textKey, type TestItem } from './helpers/test-items.js';
import type { SummarizingStore } from './helpers/sorted-array-store.js';

// Ports of the reference's ranger.rs tests (iroh-docs src/ranger.rs), run in compat mode on both
// the naive store and the tree store, with no frame budget (as the reference) and with the default.
const compat: TestPeerOptions = { ...SYNC_MODES.compat, frameBudget: Number.POSITIVE_INFINITY };
const configurations: Array<[string, TestPeerOptions, StoreKind]> = [
  ['array store, unlimited', compat, 'array'],
  ['tree store, unlimited', compat, 'tree'],
  ['tree store, default 4 MiB budget', { ...SYNC_MODES.compat }, 'tree'],
];

/** A message as `FP(x,y)` / `IT(x,y,<values>,<haveLocal>)` strings. */
function trace(message: Message<TestItem, TestStatus>): string[] {
  return message.parts.map((part) =>
    part.kind === 'fingerprint'
      ? `FP(${keyText(part.range.x)},${keyText(part.range.y)})`
      : `IT(${keyText(part.range.x)},${keyText(part.range.y)},${part.values.length},${part.haveLocal})`,
  );
}

interface SyncResult extends Exchange {
  readonly alice: TestPeer;
  readonly bob: TestPeer;
}

/**
 * The reference's `sync` helper: both sides end with the expected merged set, and neither side
 * sends a key twice.
 */
async function sync(
  aliceSet: readonly TestItem[],
  bobSet: readonly TestItem[],
  options: TestPeerOptions,
  kind: StoreKind,
): Promise<SyncResult> {
  const alice = createPeer(aliceSet, options, kind);
  const bob = createPeer(bobSet, options, kind);
  const exchange = await runExchange(alice, bob, 100);
  const expected = expectedMerge(aliceSet, bobSet).map(describeItem);
  expect(alice.all().map(describeItem), 'alice').toEqual(expected);
  expect(bob.all().map(describeItem), 'bob').toEqual(expected);
  for (const messages of [exchange.aliceToBob, exchange.bobToAlice]) {
    const sent = messages.flatMap((message) =>
      message.parts.flatMap((part) => (part.kind === 'items' ? part.values.map(([entry]) => keyText(entry.key)) : [])),
    );
    expect(new Set(sent).size, `a key was sent twice: ${sent.join(' ')}`).toBe(sent.length);
  }
  return { ...exchange, alice, bob };
}

const units = (keys: string[]): TestItem[] => keys.map((key) => item(key, 0));
const ones = (keys: string[]): TestItem[] => keys.map((key) => item(key, 1));

describe.each(configurations)('reference ranger tests (%s)', (_name, options, kind) => {
  it('test_paper_1: message counts and the exact part structure', async () => {
    const result = await sync(ones(['ape', 'eel', 'fox', 'gnu']), ones(['bee', 'cat', 'doe', 'eel', 'fox', 'hog']), options, kind);
    expect(result.aliceToBob.map(trace)).toEqual([
      ['FP(ape,ape)'],
      ['FP(eel,gnu)', 'FP(gnu,bee)', 'IT(bee,eel,0,false)'],
      ['IT(gnu,bee,2,true)'],
    ]);
    expect(result.bobToAlice.map(trace)).toEqual([
      ['FP(eel,bee)', 'FP(bee,eel)'],
      ['IT(bee,eel,3,true)', 'IT(gnu,bee,1,false)'],
    ]);
  });

  it('test_paper_2: Bob lacks one of 8', async () => {
    const all = ones(['ape', 'bee', 'cat', 'doe', 'eel', 'fox', 'gnu', 'hog']);
    const result = await sync(all, all.filter((entry) => keyText(entry.key) !== 'fox'), options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([3, 2]);
    expect(result.bob.inserted.map(describeItem)).toEqual(['fox=1']);
  });

  it('test_paper_3: Bob has 4 of 8', async () => {
    const all = ones(['ape', 'bee', 'cat', 'doe', 'eel', 'fox', 'gnu', 'hog']);
    const result = await sync(all, ones(['ape', 'cat', 'eel', 'gnu']), options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([3, 2]);
  });

  it('test_limits', async () => {
    const result = await sync(ones(['ape', 'bee', 'cat']), ones(['ape', 'cat', 'doe']), options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([2, 2]);
  });

  it('test_prefixes_simple', async () => {
    const result = await sync(
      ones(['/foo/bar', '/foo/baz', '/foo/cat']),
      ones(['/foo/bar', '/alice/bar', '/alice/baz']),
      options,
      kind,
    );
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([2, 2]);
  });

  it('test_prefixes_empty_alice', async () => {
    const result = await sync([], ones(['/foo/bar', '/alice/bar', '/alice/baz']), options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([1, 1]);
  });

  it('test_prefixes_empty_bob', async () => {
    const result = await sync(ones(['/foo/bar', '/foo/baz', '/foo/cat']), [], options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([2, 1]);
  });

  it('test_equal_key_higher_value', async () => {
    const result = await sync([item('foo', 2)], [item('foo', 1)], options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([2, 1]);
    expect(result.bob.all().map(describeItem)).toEqual(['foo=2']);
  });

  it('test_multikey: a compound (author, key) key', async () => {
    const multikey = (author: number, key: string): TestItem => ({
      key: Uint8Array.from([author, author, author, author, ...textKey(key)]),
      value: 1,
    });
    const aliceSet = [multikey(1, 'ape'), multikey(1, 'bee'), multikey(2, 'bee'), multikey(1, 'doe')];
    const bobSet = [multikey(1, 'ape'), multikey(1, 'bee'), multikey(1, 'cat'), multikey(2, 'cat')];
    const result = await sync(aliceSet, bobSet, options, kind);
    expect([result.aliceToBob.length, result.bobToAlice.length]).toEqual([2, 2]);
    expect(result.alice.all()).toHaveLength(6);
    expect(result.bob.all()).toHaveLength(6);
  });

  it('test_validate_cb: refusing every item changes nothing, and each side validates exactly the other set', async () => {
    const aliceSet = items([['alice1', 1], ['alice2', 2]]);
    const bobSet = items([['bob1', 3], ['bob2', 4], ['bob3', 5]]);
    const alice = createPeer(aliceSet, options, kind);
    const bob = createPeer(bobSet, options, kind);
    alice.accept = () => false;
    bob.accept = () => false;
    await runExchange(alice, bob, 100);
    expect(alice.all().map(describeItem)).toEqual(aliceSet.map(describeItem));
    expect(bob.all().map(describeItem)).toEqual(bobSet.map(describeItem));
    expect(alice.validated.map(describeItem)).toEqual(bobSet.map(describeItem));
    expect(bob.validated.map(describeItem)).toEqual(aliceSet.map(describeItem));
  });

  it('simple_store_sync_1, _x, _2, _3 (regression sets)', async () => {
    await sync(units(['3']), units(['2', '3', '4', '5', '6', '7', '8']), options, kind);
    await sync(units(['1', '3']), units(['2']), options, kind);
    await sync(units(['1', '3']), units(['0', '2', '3']), options, kind);
    await sync(units(['8', '9']), units(['1', '2', '3']), options, kind);
  });

  it('the saved proptest regressions (proptest-regressions/ranger.txt)', async () => {
    await sync(units(['3']), units(['', '3', '4', '5', 'a', 'b', 'c']), options, kind);
    await sync(units(['3', 'a']), units(['', '0', 'b']), options, kind);
    await sync([item('', 58)], [item('', 0)], options, kind);
  });
});

describe('what receive gets', () => {
  it('leaves out the values of a request where we hold one at least as new, and passes the rest', async () => {
    const bob = createPeer(items([['a', 5], ['b', 5], ['c', 5], ['d', 5]]), { ...SYNC_MODES.tuned });
    const request: Message<TestItem, TestStatus> = {
      parts: [
        {
          kind: 'items',
          range: { x: textKey('a'), y: textKey('a') },
          // equal, older, newer, unknown to Bob, and a duplicate of the equal one
          values: [item('a', 5), item('b', 4), item('c', 6), item('e', 1), item('a', 5)].map((value) => [value, 'complete']),
          haveLocal: false,
        },
      ],
    };
    const reply = await process(bob, request);
    expect(bob.validated.map(describeItem)).toEqual([item('c', 6), item('e', 1)].map(describeItem));
    // The diff still sends Bob's newer 'b' and the 'd' Alice lacks, and nothing Alice holds as new.
    const sent = reply?.parts.flatMap((part) => (part.kind === 'items' ? part.values.map(([value]) => describeItem(value)) : []));
    expect(sent).toEqual([item('b', 5), item('d', 5)].map(describeItem));
  });

  it('announces to the store about how many ranges answering a message of 8 or more fingerprint parts will read', async () => {
    const keys = Array.from({ length: 3_000 }, (_, index) => `k${String(index).padStart(4, '0')}`);
    const base = keys.map((key) => item(key, 1));
    /** The announcements each side received in a session between `aliceSet` and `base` (checked to converge). */
    const announced = async (aliceSet: TestItem[], options: TestPeerOptions = { ...SYNC_MODES.tuned }) => {
      const alice = createPeer(aliceSet, options, 'tree');
      const bob = createPeer(base, options, 'tree');
      const calls: { alice: number[]; bob: number[] } = { alice: [], bob: [] };
      Object.assign(alice.store, { expectRangeReads: async (ranges: number) => void calls.alice.push(ranges) });
      Object.assign(bob.store, { expectRangeReads: async (ranges: number) => void calls.bob.push(ranges) });
      await runExchange(alice, bob, 200);
      const expected = expectedMerge(aliceSet, base).map(describeItem);
      expect([alice.all().map(describeItem), bob.all().map(describeItem)]).toEqual([expected, expected]);
      return calls;
    };
    const newer = (changed: (index: number) => boolean) => keys.map((key, index) => item(key, changed(index) ? 2 : 1));
    // Every tenth item newer on Alice's side: every range of the first two splits differs. Alice answers the message
    // of 16 parts (16 × 16 sub-ranges), Bob the one of 256 (a sample of 16, all differing: 256 × 16).
    expect(await announced(newer((index) => index % 10 === 0))).toEqual({ alice: [256], bob: [4_096] });
    // One item newer: one part of 16 differs in each message of 8 or more parts.
    expect(await announced(newer((index) => index === 1_500))).toEqual({ alice: [16], bob: [16] });
    // Six scattered items, ranges split in two (compat): few ranges at each step; no message with nothing differing.
    const compat = await announced(newer((index) => index % 500 === 7), { ...SYNC_MODES.compat });
    expect([...compat.alice, ...compat.bob].every((ranges) => ranges > 0 && ranges <= 12)).toBe(true);
  });

  it('asks for the fingerprints of the announcement\'s sample at the same time', async () => {
    const keys = Array.from({ length: 3_000 }, (_, index) => `k${String(index).padStart(4, '0')}`);
    const alice = createPeer(keys.map((key, index) => item(key, index % 10 === 0 ? 2 : 1)), { ...SYNC_MODES.tuned }, 'tree');
    const bob = createPeer(keys.map((key) => item(key, 1)), { ...SYNC_MODES.tuned }, 'tree');
    let inFlight = 0;
    let most = 0;
    const fingerprint = bob.store.fingerprint.bind(bob.store);
    Object.assign(bob.store, {
      expectRangeReads: async () => undefined,
      fingerprint: async (range: Range) => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 0));
        inFlight--;
        return fingerprint(range);
      },
    });
    await runExchange(alice, bob, 200);
    // Bob's announcement for Alice's message of 256 parts samples 16 of them.
    expect(most).toBe(16);
  });

  it('a store with summaries reads, for a diff, only its items whose fingerprints differ from the peer\'s', async () => {
    const bob = createPeer(items([['a', 5], ['b', 5], ['c', 5], ['d', 5]]), { ...SYNC_MODES.tuned }, 'summaries');
    const store = bob.store as SummarizingStore<TestItem>;
    const request: Message<TestItem, TestStatus> = {
      parts: [
        {
          kind: 'items',
          range: { x: textKey('a'), y: textKey('a') },
          // equal, older, newer, unknown to Bob (and Bob's 'd' is unknown to Alice)
          values: [item('a', 5), item('b', 4), item('c', 6), item('e', 1)].map((value) => [value, 'complete']),
          haveLocal: false,
        },
      ],
    };
    const reply = await process(bob, request);
    // 'a' is equal: not read. 'b', 'c' and 'd' differ or are missing on Alice's side: read, and 'b' and 'd' sent.
    expect(store.itemReads).toBe(3);
    const sent = reply?.parts.flatMap((part) => (part.kind === 'items' ? part.values.map(([value]) => describeItem(value)) : []));
    expect(sent).toEqual([item('b', 5), item('d', 5)].map(describeItem));
    expect(bob.validated.map(describeItem)).toEqual([item('c', 6), item('e', 1)].map(describeItem));
  });

  it('passes every value of a diff (a final answer) on', async () => {
    const bob = createPeer(items([['a', 5]]), { ...SYNC_MODES.tuned });
    const answer: Message<TestItem, TestStatus> = {
      parts: [
        {
          kind: 'items',
          range: { x: textKey('a'), y: textKey('a') },
          values: [item('a', 5), item('b', 1)].map((value) => [value, 'complete']),
          haveLocal: true,
        },
      ],
    };
    expect(await process(bob, answer)).toBeUndefined();
    expect(bob.validated.map(describeItem)).toEqual([item('a', 5), item('b', 1)].map(describeItem));
  });
});

describe('small mismatched ranges', () => {
  // 1,000 keys k000..k999; values of 300 bytes (iroh-docs entries take ~250), so that a range of 20 items takes more
  // bytes as items than as 16 fingerprints of its sub-ranges.
  const keys = Array.from({ length: 1_000 }, (_, index) => `k${String(index).padStart(3, '0')}`);
  const heavy: TestPeerOptions = { ...SYNC_MODES.tuned, sizeModel: { ...testSizeModel, value: () => 300 } };
  const wrong = new Uint8Array(32).fill(1);
  const part = (x: string, y: string) => ({ kind: 'fingerprint', range: { x: textKey(x), y: textKey(y) }, fingerprint: wrong }) as const;
  /** Parts over the keys [20 i, 20 i + 20) for i < 49 (980 keys). */
  const ranges = Array.from({ length: 49 }, (_, index) => part(keys[20 * index]!, keys[20 * index + 20]!));
  /** Bob's answer as the kinds of its parts with their value counts. */
  const answer = async (options: TestPeerOptions, parts: ReturnType<typeof part>[]) => {
    const bob = createPeer(keys.map((key) => item(key, 1)), options, 'tree');
    const reply = await process(bob, { parts });
    return (reply?.parts ?? []).map((answered) => (answered.kind === 'items' ? `items ${answered.values.length}` : 'fingerprint'));
  };
  const times = (count: number, kind: string) => Array.from({ length: count }, () => kind);

  it('are answered with their items when the answer fits, even beside a range that is split', async () => {
    expect(await answer(heavy, [part('k500', 'k520')])).toEqual(['items 20']);
    // k000..k499 is split into 16 fingerprints; k500..k519 still ends with its items.
    expect(await answer(heavy, [part('k000', 'k500'), part('k500', 'k520')])).toEqual([...times(16, 'fingerprint'), 'items 20']);
  });

  it('are split when the items are not expected to fit the frame budget and fingerprints take fewer bytes', async () => {
    // 49 ranges of 20 items: ~294 KB as items, ~34 KB as 16 fingerprints each. A first range holding none of Bob's items
    // (between k000 and k001) is answered with an empty items part and gives no size sample.
    const parts = [part('k000a', 'k000b'), ...ranges];
    // Each range most likely differs in one item: it is split into the √(20 · 300 / fingerprint part) sub-ranges
    // that send the fewest bytes with the items of the one that differs (12 here), not into the split factor's 16.
    const balanced = Math.round(Math.sqrt((20 * 300) / testSizeModel.fingerprintPart(ranges[0]!.range)));
    expect(balanced).toBe(12);
    expect(await answer({ ...heavy, frameBudget: 100_000 }, parts)).toEqual(['items 0', ...times(49 * balanced, 'fingerprint')]);
    expect(await answer({ ...heavy, frameBudget: 1_000_000 }, parts)).toEqual(['items 0', ...times(49, 'items 20')]);
    // Items of the test's own size (~16 bytes) take fewer bytes than 16 fingerprint parts: sent as items until the
    // budget of 4,000 bytes is used, then the rest is deferred.
    const light = await answer({ ...SYNC_MODES.tuned, frameBudget: 4_000 }, parts);
    expect(light.slice(0, 3)).toEqual(['items 0', 'items 20', 'items 20']);
    expect(light.filter((kind) => kind === 'items 20').length).toBeLessThan(49);
  });

  it('are split into at least two sub-ranges, however small their values', async () => {
    // Ranges of 2 items with 40-byte values: √(2 · 40 / fingerprint part) rounds to 1, but a split makes 2.
    const pairs = Array.from({ length: 200 }, (_, index) => part(keys[2 * index]!, keys[2 * index + 2]!));
    const options = { ...SYNC_MODES.tuned, sizeModel: { ...testSizeModel, value: () => 40 }, frameBudget: 5_000 };
    expect(Math.round(Math.sqrt((2 * 40) / testSizeModel.fingerprintPart(pairs[0]!.range)))).toBe(1);
    const kinds = await answer(options, pairs);
    // The first answers, before anything is deferred: two fingerprint parts per range.
    expect(kinds.slice(0, 20)).toEqual(times(20, 'fingerprint'));
    const bob = createPeer(keys.map((key) => item(key, 1)), options, 'tree');
    const reply = await process(bob, { parts: pairs });
    const firstRanges = (reply?.parts ?? []).slice(0, 20).map(({ range }) => [keyText(range.x), keyText(range.y)]);
    expect(firstRanges).toEqual(Array.from({ length: 10 }, (_, index) => [[keys[2 * index]!, keys[2 * index + 1]!], [keys[2 * index + 1]!, keys[2 * index + 2]!]]).flat());
  });

  it('of more than maxReplySetSize items are split into splitFactor sub-ranges, also in an answer that does not fit', async () => {
    // A range of 40 items first, then 47 ranges of 20 items with 10-byte values (sent as items, and not fitting).
    const big = part('k000', 'k040');
    const small = Array.from({ length: 47 }, (_, index) => part(keys[40 + 20 * index]!, keys[60 + 20 * index]!));
    const options = { ...SYNC_MODES.tuned, sizeModel: { ...testSizeModel, value: () => 10 }, frameBudget: 4_000 };
    const kinds = await answer(options, [big, ...small]);
    expect(kinds.slice(0, 17)).toEqual([...times(16, 'fingerprint'), 'items 20']);
  });
});
