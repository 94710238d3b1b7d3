import { describe, expect, test } from 'vitest';
import { HashCounts } from '../src/hash-counts.js';
import { seeded } from './fixtures/seeded.js';

describe('hash counts', () => {
  test.each([
    ['grown from 16 slots to 2,048', 0],
    ['of 2,048 slots from the start', 602],
  ])('random adds and removes leave the counts a Map keeps, through growth and removals inside runs: a table %s (seeded: 41)', (_, expected) => {
    const random = seeded(41);
    // 600 hashes over the whole 30-bit range, and the extremes.
    const pool = Array.from({ length: 600 }, () => Math.floor(random() * 2 ** 30));
    pool.push(0, 2 ** 30 - 1);
    const counts = new HashCounts(expected);
    const slots = (): number => (counts as unknown as { tags: Int32Array }).tags.length;
    expect(slots()).toBe(expected === 0 ? 16 : 2_048);
    const model = new Map<number, number>();
    for (let step = 0; step < 20_000; step++) {
      // Adds win early (the table fills and grows), removals later (runs are taken apart).
      const hash = pool[Math.floor(random() * pool.length)]!;
      if (random() < (step < 10_000 ? 0.7 : 0.3)) {
        counts.add(hash);
        model.set(hash, (model.get(hash) ?? 0) + 1);
      } else {
        counts.remove(hash);
        const left = (model.get(hash) ?? 0) - 1;
        if (left > 0) model.set(hash, left);
        else model.delete(hash);
      }
      if (step % 97 === 0 || step > 19_000) {
        const wrong = pool.filter((candidate) => counts.has(candidate) !== model.has(candidate));
        expect([step, counts.size, wrong]).toEqual([step, model.size, []]);
      }
    }
    expect(model.size).toBeGreaterThan(0);
    // 2,048 slots hold the 602 hashes at most half full: a table sized for them never grows.
    expect(slots()).toBe(2_048);
  });

  test('a hash is counted as often as it was added', () => {
    const counts = new HashCounts();
    for (let time = 0; time < 3; time++) counts.add(7);
    counts.remove(7);
    counts.remove(7);
    expect(counts.has(7)).toBe(true);
    counts.remove(7);
    expect(counts.has(7)).toBe(false);
    counts.remove(7);
    expect([counts.has(7), counts.size]).toEqual([false, 0]);
  });

  test('hashes that share a home slot stay reachable when one before them is removed', () => {
    // Five hashes whose probing starts at slot 3 of a new table's 16: they fill slots 3 to 7, one run.
    const counts = new HashCounts();
    const home = (hash: number) => Math.imul(hash, 0x9e3779b1) >>> 28;
    const colliding: number[] = [];
    for (let hash = 1; colliding.length < 5; hash++) if (home(hash) === 3) colliding.push(hash);
    for (const hash of colliding) counts.add(hash);
    for (const removed of colliding) {
      counts.remove(removed);
      for (const hash of colliding) expect(counts.has(hash)).toBe(colliding.indexOf(hash) > colliding.indexOf(removed));
    }
  });
});
