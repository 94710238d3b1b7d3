import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { circularSegments, compareKeys, EMPTY_KEY, isWholeRange, rangeContains } from '@docs/rbsr';
import { SortedArrayStore } from './helpers/sorted-array-store.js';
import { EMPTY_FINGERPRINT, item, keyText, testTraits, textKey, type TestItem } from './helpers/test-items.js';

const SEED = 0xa11ce;

async function collect(iterable: AsyncIterable<TestItem>): Promise<string[]> {
  const keys: string[] = [];
  for await (const entry of iterable) keys.push(keyText(entry.key));
  return keys;
}

describe('rangeContains', () => {
  const range = (x: string, y: string) => ({ x: textKey(x), y: textKey(y) });

  it('x == y is the whole set', () => {
    expect(isWholeRange(range('m', 'm'))).toBe(true);
    for (const key of ['', 'a', 'm', 'zz']) expect(rangeContains(range('m', 'm'), textKey(key))).toBe(true);
  });

  it('x < y is [x, y)', () => {
    expect(rangeContains(range('b', 'd'), textKey('b'))).toBe(true);
    expect(rangeContains(range('b', 'd'), textKey('c'))).toBe(true);
    expect(rangeContains(range('b', 'd'), textKey('d'))).toBe(false);
    expect(rangeContains(range('b', 'd'), textKey('a'))).toBe(false);
    expect(rangeContains(range('hi', 'hi/moon'), textKey('hi/'))).toBe(true);
  });

  it('x > y wraps around: k >= x or k < y', () => {
    expect(rangeContains(range('fox', 'bee'), textKey('fox'))).toBe(true);
    expect(rangeContains(range('fox', 'bee'), textKey('zebra'))).toBe(true);
    expect(rangeContains(range('fox', 'bee'), textKey('ape'))).toBe(true);
    expect(rangeContains(range('fox', 'bee'), textKey('bee'))).toBe(false);
    expect(rangeContains(range('fox', 'bee'), textKey('cat'))).toBe(false);
  });
});

describe('store_get_range (reference test, on the naive store)', () => {
  it('returns the reference iteration order for whole, plain and wrapping ranges', async () => {
    const store = new SortedArrayStore(testTraits, EMPTY_FINGERPRINT);
    for (const key of ['bee', 'cat', 'doe', 'eel', 'fox', 'hog']) store.setRaw(item(key, 1));
    const range = (x: string, y: string) => ({ x: textKey(x), y: textKey(y) });
    expect(await collect(store.items(range('', '')))).toEqual(['bee', 'cat', 'doe', 'eel', 'fox', 'hog']);
    expect(await collect(store.items(range('bee', 'eel')))).toEqual(['bee', 'cat', 'doe']);
    expect(await collect(store.items(range('', 'eel')))).toEqual(['bee', 'cat', 'doe']);
    expect(await collect(store.items(range('cat', 'hog')))).toEqual(['cat', 'doe', 'eel', 'fox']);
    expect(await collect(store.items(range('fox', 'bee')))).toEqual(['fox', 'hog']);
    expect(await collect(store.items(range('fox', 'doe')))).toEqual(['bee', 'cat', 'fox', 'hog']);
  });
});

describe('circularSegments', () => {
  it('visits the keys of any range in circular order from x (simple_store_get_ranges style)', async () => {
    const keyArbitrary = fc.stringMatching(/^[a-z0-9]{0,5}$/);
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(keyArbitrary, { maxLength: 10 }), keyArbitrary, keyArbitrary, async (keys, x, y) => {
        const store = new SortedArrayStore(testTraits, EMPTY_FINGERPRINT);
        for (const key of keys) store.setRaw(item(key));
        const range = { x: textKey(x), y: textKey(y) };
        const sorted = [...keys].sort((a, b) => compareKeys(textKey(a), textKey(b)));
        const inside = sorted.filter((key) => rangeContains(range, textKey(key)));
        const fromX = inside.filter((key) => compareKeys(textKey(key), range.x) >= 0);
        const beforeX = inside.filter((key) => compareKeys(textKey(key), range.x) < 0);
        const visited: string[] = [];
        for (const segment of circularSegments(range)) visited.push(...(await collect(store.items(segment))));
        expect(visited).toEqual([...fromX, ...beforeX]);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it('uses the empty key as the open end', () => {
    expect(circularSegments({ x: EMPTY_KEY, y: EMPTY_KEY })).toEqual([{ x: EMPTY_KEY, y: EMPTY_KEY }]);
    expect(circularSegments({ x: textKey('b'), y: EMPTY_KEY })).toEqual([{ x: textKey('b'), y: EMPTY_KEY }]);
    expect(circularSegments({ x: textKey('b'), y: textKey('a') })).toEqual([
      { x: textKey('b'), y: EMPTY_KEY },
      { x: EMPTY_KEY, y: textKey('a') },
    ]);
  });
});
