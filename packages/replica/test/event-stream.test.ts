import { EventStream } from '@docs/replica';
import { describe, expect, it } from 'vitest';

async function take<T>(stream: AsyncIterator<T>, count: number): Promise<T[]> {
  const out: T[] = [];
  for (let index = 0; index < count; index++) {
    const next = await stream.next();
    if (next.done === true) break;
    out.push(next.value);
  }
  return out;
}

describe('EventStream', () => {
  it('delivers pushed events in order, also to a consumer already waiting', async () => {
    const stream = new EventStream<number>(4, () => {});
    const waiting = stream.next();
    stream.push(1);
    stream.push(2);
    expect(await waiting).toEqual({ done: false, value: 1 });
    expect(await take(stream, 1)).toEqual([2]);
  });

  it('serves several waiting next() calls in order', async () => {
    const stream = new EventStream<number>(4, () => {});
    const first = stream.next();
    const second = stream.next();
    stream.push(1);
    stream.push(2);
    expect((await first).value).toBe(1);
    expect((await second).value).toBe(2);
  });

  it('drops the oldest events beyond its capacity and reports how many it dropped', async () => {
    const stream = new EventStream<number>(3, () => {});
    for (let value = 1; value <= 10; value++) stream.push(value);
    expect(stream.pending).toBe(3);
    expect(await take(stream, 4)).toEqual([{ type: 'lagged', missed: 7 }, 8, 9, 10]);
    stream.push(11);
    expect(await take(stream, 1)).toEqual([11]);
  });

  it('keeps memory bounded under a long burst', () => {
    const stream = new EventStream<number>(16, () => {});
    for (let value = 0; value < 100_000; value++) stream.push(value);
    expect(stream.pending).toBe(16);
  });

  it('delivers buffered events after end(), then finishes', async () => {
    const stream = new EventStream<number>(4, () => {});
    stream.push(1);
    stream.end();
    stream.push(2);
    expect(await take(stream, 3)).toEqual([1]);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a waiting consumer on end()', async () => {
    const stream = new EventStream<number>(4, () => {});
    const waiting = stream.next();
    stream.end();
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('unsubscribes once on return() and via break', async () => {
    let returns = 0;
    const stream = new EventStream<number>(4, () => returns++);
    stream.push(1);
    stream.push(2);
    for await (const value of stream) {
      expect(value).toBe(1);
      break;
    }
    expect(returns).toBe(1);
    await stream.return();
    expect(returns).toBe(1);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('refuses a capacity below 1', () => {
    expect(() => new EventStream<number>(0, () => {})).toThrow(RangeError);
  });
});
