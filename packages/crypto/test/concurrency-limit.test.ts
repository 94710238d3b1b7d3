import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../src/concurrency-limit.js';

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));

describe('ConcurrencyLimit', () => {
  it('never runs more than the limit at once, runs every task, and returns each result', async () => {
    const limit = new ConcurrencyLimit(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, index) =>
        limit.run(async () => {
          started.push(index);
          running++;
          peak = Math.max(peak, running);
          await tick();
          running--;
          return index * 2;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, index) => index * 2));
    expect(peak).toBe(3);
    expect(started).toEqual(Array.from({ length: 40 }, (_, index) => index)); // call order
    expect(limit.active).toBe(0);
  });

  it('frees the slot of a task that throws', async () => {
    const limit = new ConcurrencyLimit(1);
    await expect(limit.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limit.run(async () => 'next')).toBe('next');
    expect(limit.active).toBe(0);
  });

  it('refuses a limit that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new ConcurrencyLimit(bad)).toThrow(RangeError);
  });
});
