import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, SYNC_MODES, type Message, type RangeStore, type SplitPart, type SplitSettings } from '@docs/rbsr';
import {
  createPeer,
  expectedMerge,
  messageSize,
  runExchange,
  testSizeModel,
  type Exchange,
  type StoreKind,
  type TestPeerOptions,
  type TestStatus,
} from './helpers/sync-driver.js';
import { describeItem, keyText, textKey, type TestItem } from './helpers/test-items.js';

const SEED = 0x5_1ab_5eed;
const SLOW = process.env.SLOW === '1';
const runs = (normal: number): number => (SLOW ? normal * 10 : normal);
/** Per-test timeout: the slow variant runs ten times as many cases. */
const TIMEOUT = SLOW ? 30 * 60_000 : 120_000;

// ---- generators ----------------------------------------------------------------------------

/** The reference's key strategy `[a-z0-9]{0,5}`: short keys, so prefixes of each other occur. */
const referenceKey = fc.stringMatching(/^[a-z0-9]{0,5}$/);
/** Keys over a two-letter alphabet: prefix relations (and so prefix deletion) are frequent. */
const prefixHeavyKey = fc.stringMatching(/^[ab]{0,4}$/);

type Pair = readonly [string, number];

/** The reference's `simple_store_sync` / `simple_store_sync_u8` sets: up to 10 entries, unit or u8 values. */
const referenceSets = fc.oneof(
  fc.tuple(
    fc.uniqueArray(referenceKey, { maxLength: 10 }).map((keys) => keys.map((key): Pair => [key, 0])),
    fc.uniqueArray(referenceKey, { maxLength: 10 }).map((keys) => keys.map((key): Pair => [key, 0])),
  ),
  fc.tuple(
    fc.uniqueArray(fc.tuple(fc.oneof(referenceKey, prefixHeavyKey), fc.integer({ min: 0, max: 254 })), { maxLength: 10, selector: ([key]) => key }),
    fc.uniqueArray(fc.tuple(fc.oneof(referenceKey, prefixHeavyKey), fc.integer({ min: 0, max: 254 })), { maxLength: 10, selector: ([key]) => key }),
  ),
);

/**
 * Larger overlapping sets: a pool of keys, each held by Alice, Bob, both, or both with different
 * values (newer wins), so splits go several levels deep in both modes.
 */
const overlappingSets = fc
  .uniqueArray(fc.tuple(fc.stringMatching(/^[a-z0-9]{1,6}$/), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })), {
    maxLength: 400,
    size: 'max',
    selector: ([key]) => key,
  })
  .map((pool) => {
    const alice: Pair[] = [];
    const bob: Pair[] = [];
    for (const [key, holder, value] of pool) {
      if (holder === 0 || holder >= 2) alice.push([key, value]);
      if (holder === 1 || holder === 2) bob.push([key, value]);
      if (holder === 3) bob.push([key, value + 1]);
    }
    return [alice, bob] as const;
  });

const anySets = fc.oneof(referenceSets, overlappingSets);

const toItems = (pairs: readonly Pair[]): TestItem[] => pairs.map(([key, value]) => ({ key: textKey(key), value }));

// ---- bounds --------------------------------------------------------------------------------

/**
 * Upper bound on the messages of an exchange without a frame budget. A split by a side leaves each
 * sub-range at most f(c) = (c <= k ? 1 : ceil(c / k)) of that side's c items, and ranges only shrink
 * (received values land in ranges that are finishing; prefix deletion only removes). With both
 * sides splitting in turn, a side that has split j times holds at most f^j(N) items per range, so
 * it answers a mismatched fingerprint with its items (count <= maxReplySetSize) by message 2J + 2,
 * J = min{ j : f^j(N) <= maxReplySetSize }; the diff that ends the range follows. Hence 2J + 3.
 */
function unlimitedMessageBound(settings: SplitSettings, largerSetSize: number): number {
  let count = largerSetSize;
  let levels = 0;
  while (count > settings.maxReplySetSize) {
    count = count <= settings.splitFactor ? 1 : Math.ceil(count / settings.splitFactor);
    levels++;
  }
  return 2 * levels + 3;
}

/**
 * Upper bound on the messages under a frame budget, from the unlimited exchange (U messages,
 * S bytes): every message carries at least `usable / 2` bytes of progress (`usable`: the budget
 * minus the message overhead and the room kept for deferral parts; deferral parts of their own
 * take at most as many bytes as the answers kept), and a deferred range restarts at most U / 2
 * split levels above where it was. Hence (U + ceil(2S / usable)) * (ceil(U / 2) + 1). Under a budget small ranges
 * may also be split (when an answer does not fit), which the exchange without a budget never does: into at least
 * two sub-ranges each time (see `splitParts`), so at most five levels more for a small range of up to 32 items, and
 * usually two or three, which the bound's slack covers in every case the properties generate.
 */
function budgetMessageBound(unlimited: Exchange, budget: number, longestKey: number, sizes = testSizeModel): number {
  const messages = [...unlimited.aliceToBob, ...unlimited.bobToAlice];
  const bytes = messages.reduce((total, message) => total + messageSize(message, sizes), 0);
  const key = new Uint8Array(longestKey);
  const usable = budget - sizes.messageOverhead - 2 * sizes.fingerprintPart({ x: key, y: key });
  return (messages.length + Math.ceil((2 * bytes) / usable)) * (Math.ceil(messages.length / 2) + 1);
}

// ---- checks --------------------------------------------------------------------------------

type Sent = Array<Message<TestItem, TestStatus>>;

/** The keys a side sent, in order, with whether each was sent in an item request (`haveLocal: false`). */
function sentValues(messages: Sent): Array<{ key: string; inRequest: boolean }> {
  return messages.flatMap((message) =>
    message.parts.flatMap((part) =>
      part.kind === 'items' ? part.values.map(([entry]) => ({ key: keyText(entry.key), inRequest: !part.haveLocal })) : [],
    ),
  );
}

/** No side sends a key twice. */
function expectNoRepeatedValues(exchange: Exchange): void {
  for (const messages of [exchange.aliceToBob, exchange.bobToAlice]) {
    const keys = sentValues(messages).map((sent) => sent.key);
    expect(new Set(keys).size, `a key was sent twice: ${keys.join(' ')}`).toBe(keys.length);
  }
}

/**
 * Under a frame budget a side may send a value again only when it first sent it in an item request
 * (the peer stored it but had to defer its answer, so the range comes back; see the README).
 */
function expectOnlyRequestedValuesRepeated(exchange: Exchange): void {
  for (const messages of [exchange.aliceToBob, exchange.bobToAlice]) {
    const first = new Map<string, boolean>();
    for (const { key, inRequest } of sentValues(messages)) {
      const firstInRequest = first.get(key);
      if (firstInRequest === undefined) first.set(key, inRequest);
      else expect(firstInRequest, `key ${key} was sent again though first sent outside a request`).toBe(true);
    }
  }
}

function expectWithinBudget(messages: Sent, budget: number, sizes = testSizeModel): void {
  for (const message of messages) expect(messageSize(message, sizes)).toBeLessThanOrEqual(budget);
}

interface Scenario {
  readonly alice: TestPeerOptions;
  readonly bob: TestPeerOptions;
}

async function exchangeAndCheckState(
  alicePairs: readonly Pair[],
  bobPairs: readonly Pair[],
  scenario: Scenario,
  kind: StoreKind,
  maxMessages: number,
): Promise<Exchange> {
  const aliceItems = toItems(alicePairs);
  const bobItems = toItems(bobPairs);
  const alice = createPeer(aliceItems, scenario.alice, kind);
  const bob = createPeer(bobItems, scenario.bob, kind);
  const exchange = await runExchange(alice, bob, maxMessages);
  const expected = expectedMerge(aliceItems, bobItems).map(describeItem);
  expect(alice.all().map(describeItem), 'alice').toEqual(expected);
  expect(bob.all().map(describeItem), 'bob').toEqual(expected);
  return exchange;
}

const larger = (alice: readonly Pair[], bob: readonly Pair[]): number => Math.max(alice.length, bob.length);
const longestKey = (alice: readonly Pair[], bob: readonly Pair[]): number =>
  Math.max(0, ...[...alice, ...bob].map(([key]) => textKey(key).length));

const compatUnlimited: TestPeerOptions = { ...SYNC_MODES.compat, frameBudget: Number.POSITIVE_INFINITY };
const tunedUnlimited: TestPeerOptions = { ...SYNC_MODES.tuned, frameBudget: Number.POSITIVE_INFINITY };

// ---- properties ----------------------------------------------------------------------------

describe.each([
  ['compat', SYNC_MODES.compat as SplitSettings, compatUnlimited],
  ['tuned', SYNC_MODES.tuned as SplitSettings, { ...SYNC_MODES.tuned } as TestPeerOptions],
])('reconciliation in %s mode', (_name, settings, options) => {
  it('both sides end with the merged set (prefix semantics), no value is sent twice, messages within 2J + 3', async () => {
    await fc.assert(
      fc.asyncProperty(anySets, fc.constantFrom<StoreKind>('array', 'tree', 'summaries'), async ([alice, bob], kind) => {
        const bound = unlimitedMessageBound(settings, larger(alice, bob));
        const exchange = await exchangeAndCheckState(alice, bob, { alice: options, bob: options }, kind, bound);
        expectNoRepeatedValues(exchange);
      }),
      { seed: SEED, numRuns: runs(150) },
    );
  }, TIMEOUT);
});

describe('a store that holds its keys and fingerprints apart (summaries)', () => {
  it('sends exactly the messages the same store sends without them, with a budget or without', async () => {
    await fc.assert(
      fc.asyncProperty(anySets, fc.constantFrom(compatUnlimited, SYNC_MODES.tuned as TestPeerOptions, { ...tunedUnlimited, frameBudget: 240 }), async ([alice, bob], options) => {
        const scenario = { alice: options, bob: options };
        const plain = await exchangeAndCheckState(alice, bob, scenario, 'array', 1000);
        const summarized = await exchangeAndCheckState(alice, bob, scenario, 'summaries', 1000);
        expect(summarized).toEqual(plain);
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  }, TIMEOUT);
});

describe.each([
  ['compat', compatUnlimited, 300],
  ['tuned', tunedUnlimited, 240],
])('reconciliation in %s mode with a tiny frame budget', (_name, unlimited, budget) => {
  it('converges, keeps every message within the budget and ends within the derived bound', async () => {
    const tiny: TestPeerOptions = { ...unlimited, frameBudget: budget };
    await fc.assert(
      fc.asyncProperty(anySets, async ([alice, bob]) => {
        const reference = await exchangeAndCheckState(alice, bob, { alice: unlimited, bob: unlimited }, 'tree', 1000);
        const bound = budgetMessageBound(reference, budget, longestKey(alice, bob));
        const exchange = await exchangeAndCheckState(alice, bob, { alice: tiny, bob: tiny }, 'tree', bound);
        expectWithinBudget([...exchange.aliceToBob, ...exchange.bobToAlice], budget);
        expectOnlyRequestedValuesRepeated(exchange);
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  }, TIMEOUT);
});

/** 120-byte values: a fingerprint part over two keys of up to 6 bytes takes at most 47, so small ranges can be split. */
const heavy = { ...testSizeModel, value: () => 120 };

describe('values larger than fingerprint parts (small ranges split when an answer does not fit)', () => {
  it('converges, keeps every message within the budget and ends within the derived bound', async () => {
    const unlimited: TestPeerOptions = { ...tunedUnlimited, sizeModel: heavy };
    const limited: TestPeerOptions = { ...unlimited, frameBudget: 2_000 };
    await fc.assert(
      fc.asyncProperty(anySets, fc.constantFrom<StoreKind>('array', 'tree', 'summaries'), async ([alice, bob], kind) => {
        const reference = await exchangeAndCheckState(alice, bob, { alice: unlimited, bob: unlimited }, kind, 1000);
        expectNoRepeatedValues(reference);
        const bound = budgetMessageBound(reference, 2_000, longestKey(alice, bob), heavy);
        const exchange = await exchangeAndCheckState(alice, bob, { alice: limited, bob: limited }, kind, bound);
        expectWithinBudget([...exchange.aliceToBob, ...exchange.bobToAlice], 2_000, heavy);
        expectOnlyRequestedValuesRepeated(exchange);
      }),
      { seed: SEED, numRuns: runs(100) },
    );
  }, TIMEOUT);
});

/** A message as text: each part's kind, range and fingerprint or values. */
function describeMessage(message: Message<TestItem, TestStatus>): string[] {
  return message.parts.map((part) => {
    const range = `${keyText(part.range.x)}..${keyText(part.range.y)}`;
    return part.kind === 'fingerprint'
      ? `fingerprint ${range} ${Buffer.from(part.fingerprint).toString('hex')}`
      : `items ${range} ${part.haveLocal} ${part.values.map(([value]) => describeItem(value)).join(',')}`;
  });
}

describe('splits by the store (RangeStore.splitRange)', () => {
  type SplitMode = 'split' | 'none' | 'count' | 'gap' | 'fewer' | 'end';
  /** Store answers that do not add up, each kept otherwise as it was: the engine must not use them. */
  const spoil: Record<Exclude<SplitMode, 'split' | 'none'>, (split: readonly SplitPart[]) => SplitPart[]> = {
    // One item too many in the first part.
    count: (split) => split.map((part, index) => (index === 0 ? { ...part, count: part.count + 1 } : part)),
    // The second part starts where the first did.
    gap: (split) => split.map((part, index) => (index === 1 ? { ...part, range: { ...part.range, x: split[0]!.range.x } } : part)),
    // The last two parts as one.
    fewer: (split) => [...split.slice(0, -2), { ...split.at(-2)!, range: { x: split.at(-2)!.range.x, y: split.at(-1)!.range.y }, count: split.at(-2)!.count + split.at(-1)!.count }],
    // The last part ends at its own start.
    end: (split) => split.map((part, index) => (index === split.length - 1 ? { ...part, range: { ...part.range, y: part.range.x } } : part)),
  };

  it('send exactly the messages of splits from keyAt, count and fingerprint; a store split that does not add up is not used', async () => {
    const settings: TestPeerOptions[] = [{ ...SYNC_MODES.tuned }, { ...tunedUnlimited, sizeModel: heavy, frameBudget: 2_000 }, { splitFactor: 3, maxSetSize: 1, maxReplySetSize: 2 }];
    let splitsUsed = 0;
    await fc.assert(
      fc.asyncProperty(anySets, fc.constantFrom(...settings), async ([alice, bob], options) => {
        const exchange = async (mode: SplitMode) => {
          const peers = [createPeer(toItems(alice), options, 'tree'), createPeer(toItems(bob), options, 'tree')] as const;
          for (const peer of peers) {
            const target = peer.store as { splitRange?: RangeStore<TestItem>['splitRange']; keyAt: RangeStore<TestItem>['keyAt'] };
            const own = target.splitRange!.bind(peer.store);
            if (mode === 'none') target.splitRange = undefined;
            else if (mode !== 'split') target.splitRange = async (range, count, parts) => spoil[mode]((await own(range, count, parts))!);
            else {
              // With the store's splits, the engine never looks a pivot up in a range that does not wrap.
              const keyAt = target.keyAt.bind(peer.store);
              target.keyAt = (range, index) => (compareKeys(range.x, range.y) < 0 ? Promise.reject(new Error('keyAt in a split')) : keyAt(range, index));
              target.splitRange = (range, count, parts) => (splitsUsed++, own(range, count, parts));
            }
          }
          const { aliceToBob, bobToAlice } = await runExchange(peers[0], peers[1]);
          return [...aliceToBob, ...bobToAlice].map((message) => describeMessage(message));
        };
        const bySplits = await exchange('split');
        expect(bySplits).toEqual(await exchange('none'));
        for (const mode of ['count', 'gap', 'fewer', 'end'] as const) expect(await exchange(mode), mode).toEqual(bySplits);
      }),
      { seed: SEED, numRuns: runs(100) },
    );
    expect(splitsUsed).toBeGreaterThan(100);
  }, TIMEOUT);
});

describe('peers with different settings interoperate', () => {
  // What a side may send twice: nothing without budget pressure; values first sent in a request
  // when both budgets are small; anything when one peer's messages exceed what the other can echo
  // (the cover fallback, see the README).
  type Repeats = 'none' | 'requested' | 'any';
  const scenarios: Array<[string, Scenario, Repeats]> = [
    ['reference settings (compat, no budget) vs tuned with a 4 MiB budget', { alice: compatUnlimited, bob: { ...SYNC_MODES.tuned } }, 'none'],
    ['tuned with a 4 MiB budget vs reference settings', { alice: { ...SYNC_MODES.tuned }, bob: compatUnlimited }, 'none'],
    ['split factor 7, max set size 3 vs split factor 3, reply up to 5, both small budgets', {
      alice: { splitFactor: 7, maxSetSize: 3, maxReplySetSize: 3, frameBudget: 500 },
      bob: { splitFactor: 3, maxSetSize: 0, maxReplySetSize: 5, frameBudget: 400 },
    }, 'requested'],
    ['reference settings vs tuned with a tiny budget', { alice: compatUnlimited, bob: { ...SYNC_MODES.tuned, frameBudget: 260 } }, 'any'],
    ['reference settings vs tuned with 120-byte values and a 2,000-byte budget', {
      alice: compatUnlimited,
      bob: { ...SYNC_MODES.tuned, sizeModel: heavy, frameBudget: 2_000 },
    }, 'requested'],
  ];
  it.each(scenarios)('%s', async (_name, scenario, repeats) => {
    await fc.assert(
      fc.asyncProperty(anySets, async ([alice, bob]) => {
        const exchange = await exchangeAndCheckState(alice, bob, scenario, 'tree', 1000);
        const aliceBudget = scenario.alice.frameBudget ?? 4 * 1024 * 1024;
        const bobBudget = scenario.bob.frameBudget ?? 4 * 1024 * 1024;
        expectWithinBudget(exchange.aliceToBob, aliceBudget, scenario.alice.sizeModel);
        expectWithinBudget(exchange.bobToAlice, bobBudget, scenario.bob.sizeModel);
        if (repeats === 'none') expectNoRepeatedValues(exchange);
        if (repeats === 'requested') expectOnlyRequestedValuesRepeated(exchange);
      }),
      { seed: SEED, numRuns: runs(60) },
    );
  }, TIMEOUT);
});
