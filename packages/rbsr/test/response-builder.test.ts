import { describe, expect, it } from 'vitest';
import { createPostcardSizeModel, rangeContains, type MessagePart, type Range } from '@docs/rbsr';
import { ResponseBuilder } from '../src/response-builder.js';
import { SortedArrayStore } from './helpers/sorted-array-store.js';
import { EMPTY_FINGERPRINT, testTraits, type TestItem } from './helpers/test-items.js';

type Status = 'complete';
const key = (byte: number): Uint8Array => Uint8Array.of(byte);
const range = (x: number, y: number): Range => ({ x: key(x), y: key(y) });
const entry = (byte: number): TestItem => ({ key: key(byte), value: 0 });
/** Every item is 10 bytes, statuses 1. */
const sizes = createPostcardSizeModel<TestItem, Status>(() => 10);

function storeWith(bytes: number[]): SortedArrayStore<TestItem> {
  const store = new SortedArrayStore(testTraits, EMPTY_FINGERPRINT);
  for (const byte of bytes) store.setRaw(entry(byte));
  return store;
}

function partSize(part: MessagePart<TestItem, Status>): number {
  if (part.kind === 'fingerprint') return sizes.fingerprintPart(part.range);
  return sizes.itemsPart(part.range, part.values.length) + part.values.reduce((total, [item, status]) => total + sizes.value(item, status), 0);
}

describe('ResponseBuilder deferral', () => {
  it('answers each deferred range with a fingerprint part of its own when they fit', async () => {
    const builder = new ResponseBuilder<TestItem, Status>(sizes, 1000, testTraits.key);
    builder.defer(range(1, 3));
    builder.defer(range(3, 5));
    builder.matchedRange(range(5, 7));
    builder.defer(range(7, 9));
    const store = storeWith([2, 4, 6, 8]);
    await builder.finish(store);
    expect(builder.parts).toEqual([
      { kind: 'fingerprint', range: range(1, 3), fingerprint: await store.fingerprint(range(1, 3)) },
      { kind: 'fingerprint', range: range(3, 5), fingerprint: await store.fingerprint(range(3, 5)) },
      { kind: 'fingerprint', range: range(7, 9), fingerprint: await store.fingerprint(range(7, 9)) },
    ]);
  });

  it('merges touching deferred ranges through matched ones into one part when separate parts do not fit', async () => {
    const budget = sizes.messageOverhead + sizes.fingerprintPart(range(1, 8));
    const builder = new ResponseBuilder<TestItem, Status>(sizes, budget, testTraits.key);
    builder.defer(range(1, 3));
    builder.matchedRange(range(3, 5));
    builder.defer(range(5, 8));
    await builder.finish(storeWith([2, 6]));
    expect(builder.parts.map((part) => [part.kind, part.range])).toEqual([['fingerprint', range(1, 8)]]);
  });

  /** Pushes an items answer of `count` values from `x` over `(x, y)`; returns its bytes. */
  function answerWithItems(builder: ResponseBuilder<TestItem, Status>, x: number, y: number, count: number): number {
    const values = Array.from({ length: count }, (_, i): [TestItem, Status] => [entry(x + i), 'complete']);
    const part: MessagePart<TestItem, Status> = { kind: 'items', range: range(x, y), values, haveLocal: true };
    const checkpoint = builder.checkpoint();
    builder.push(part, partSize(part));
    builder.answered(part.range, checkpoint);
    return partSize(part);
  }
  const fingerprintBytes = sizes.fingerprintPart(range(1, 2));

  it('withdraws the last answer so that each deferred range keeps a part of its own', async () => {
    const answers = [20, 8].map((count) => count * (1 + 10) + sizes.itemsPart(range(10, 20), count));
    const budget = sizes.messageOverhead + answers[0]! + answers[1]! + fingerprintBytes;
    const builder = new ResponseBuilder<TestItem, Status>(sizes, budget, testTraits.key);
    expect(answerWithItems(builder, 10, 30, 20)).toBe(answers[0]);
    expect(answerWithItems(builder, 30, 40, 8)).toBe(answers[1]);
    builder.defer(range(1, 3));
    builder.matchedRange(range(3, 5));
    builder.defer(range(5, 7));
    // One joined part would fit beside both answers, but the second answer is worth less than separate parts.
    await builder.finish(storeWith([2, 6, 12, 31]));
    expect(builder.parts.map((part) => [part.kind, part.range])).toEqual([
      ['items', range(10, 30)],
      ['fingerprint', range(30, 40)],
      ['fingerprint', range(1, 3)],
      ['fingerprint', range(5, 7)],
    ]);
    expect(builder.parts.reduce((total, part) => total + partSize(part), sizes.messageOverhead)).toBeLessThanOrEqual(budget);
  });

  it('joins deferred ranges through matched ones rather than keep answers smaller than the deferral parts', async () => {
    const answers = [1, 12].map((count) => count * (1 + 10) + sizes.itemsPart(range(10, 20), count));
    const budget = sizes.messageOverhead + answers[0]! + answers[1]! + fingerprintBytes;
    const builder = new ResponseBuilder<TestItem, Status>(sizes, budget, testTraits.key);
    answerWithItems(builder, 10, 20, 1);
    answerWithItems(builder, 20, 35, 12);
    for (const x of [1, 3, 5]) builder.defer(range(x, x + 1));
    for (const x of [2, 4]) builder.matchedRange(range(x, x + 1));
    // Withdrawing the second answer would make four separate parts fit, outweighing the one answer kept.
    expect(answers[1]! + fingerprintBytes).toBeGreaterThanOrEqual(4 * fingerprintBytes);
    expect(answers[0]!).toBeLessThan(4 * fingerprintBytes);
    await builder.finish(storeWith([1, 3, 5, 10, 21]));
    expect(builder.parts.reduce((total, part) => total + partSize(part), sizes.messageOverhead)).toBeLessThanOrEqual(budget);
    expect(builder.parts.map((part) => [part.kind, part.range])).toEqual([
      ['items', range(10, 20)],
      ['items', range(20, 35)],
      ['fingerprint', range(1, 6)],
    ]);
  });

  it('trims the only answer left so that separate deferral runs fit, instead of covering the answer', async () => {
    const budget = 180;
    const builder = new ResponseBuilder<TestItem, Status>(sizes, budget, testTraits.key);
    const values = Array.from({ length: 10 }, (_, i): [TestItem, Status] => [entry(10 + i), 'complete']);
    const diff: MessagePart<TestItem, Status> = { kind: 'items', range: range(10, 30), values, haveLocal: true };
    const checkpoint = builder.checkpoint();
    expect(builder.fits(partSize(diff))).toBe(true);
    builder.push(diff, partSize(diff));
    builder.answered(diff.range, checkpoint);
    // Two deferred ranges on either side of the answer: two parts, which no longer fit.
    builder.defer(range(1, 5));
    builder.defer(range(40, 50));
    await builder.finish(storeWith([2, 3, 12, 45]));

    const [answer, ...deferral] = builder.parts;
    expect(answer?.kind).toBe('items');
    expect(answer?.range.x).toEqual(key(10));
    const kept = answer?.kind === 'items' ? answer.values.length : 0;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(10);
    const cut = 10 + kept;
    expect(answer?.range.y).toEqual(key(cut));
    expect(deferral.every((part) => part.kind === 'fingerprint')).toBe(true);
    expect(deferral.map((part) => part.range)).toEqual(expect.arrayContaining([range(1, 5), range(cut, 30), range(40, 50)]));
    expect(deferral).toHaveLength(3);
    expect(builder.parts.reduce((total, part) => total + partSize(part), sizes.messageOverhead)).toBeLessThanOrEqual(budget);
  });

  it('covers all deferred ranges with one part only when nothing else makes them fit', async () => {
    const budget = 120;
    const builder = new ResponseBuilder<TestItem, Status>(sizes, budget, testTraits.key);
    const single: MessagePart<TestItem, Status> = { kind: 'items', range: range(10, 30), values: [[entry(10), 'complete']], haveLocal: true };
    builder.push(single, partSize(single));
    for (const [x, y] of [[1, 2], [3, 4], [40, 41], [50, 51]] as const) builder.defer(range(x, y));
    await builder.finish(storeWith([1, 3, 40, 50]));
    expect(builder.parts).toHaveLength(2);
    const cover = builder.parts[1] as MessagePart<TestItem, Status>;
    expect(cover.kind).toBe('fingerprint');
    for (const probe of [1, 3, 40, 50]) expect(rangeContains(cover.range, key(probe))).toBe(true);
    expect(builder.parts.reduce((total, part) => total + partSize(part), sizes.messageOverhead)).toBeLessThanOrEqual(budget);
  });
});
