import { concatBytes } from '@docs/crypto';
import type { ByteChannel } from '../transport/byte-stream.js';

/** `length` reproducible pseudo-random bytes for `seed` (xorshift32), so a failure can be replayed. */
export function patternBytes(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = (seed | 0) === 0 ? 0x9e3779b9 : seed | 0;
  for (let index = 0; index < length; index += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/** A reproducible stream of integers in [min, max] for `seed`. */
export function integers(seed: number, min: number, max: number): () => number {
  let state = (seed | 0) === 0 ? 0x2545f491 : seed | 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return min + ((state >>> 0) % (max - min + 1));
  };
}

/** Everything the remote sends until its end. */
export async function readAll(channel: ByteChannel): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let chunk = await channel.read(); chunk !== undefined; chunk = await channel.read()) chunks.push(chunk);
  return concatBytes(...chunks);
}

/** Reads exactly `length` bytes (fewer only if the remote ends first). */
export async function readBytes(channel: ByteChannel, length: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let received = 0;
  while (received < length) {
    const chunk = await channel.read();
    if (chunk === undefined) break;
    chunks.push(chunk);
    received += chunk.length;
  }
  return concatBytes(...chunks);
}

/** Writes back everything read until the remote ends, then ends. */
export async function echo(channel: ByteChannel): Promise<void> {
  for (let chunk = await channel.read(); chunk !== undefined; chunk = await channel.read()) await channel.write(chunk);
  await channel.end();
}

/** Settles like `promise`, or rejects if it takes longer than `milliseconds`: a hang becomes a clear failure. */
export function within<T>(promise: Promise<T>, milliseconds: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not settle within ${milliseconds} ms`)), milliseconds);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Resolves once `condition()` holds (checked every 5 ms); rejects after `milliseconds`. */
export async function eventually(condition: () => boolean, milliseconds: number, what: string): Promise<void> {
  const deadline = performance.now() + milliseconds;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`${what} did not happen within ${milliseconds} ms`);
    await sleep(5);
  }
}

/** Resolves after `milliseconds`. */
export function sleep(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}

/** Whether `promise` is still pending after `milliseconds`. */
export async function staysPending(promise: Promise<unknown>, milliseconds: number): Promise<boolean> {
  const pending = Symbol('pending');
  const outcome = await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    sleep(milliseconds).then(() => pending),
  ]);
  return outcome === pending;
}

/** A promise and the functions that settle it. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** A promise settled from outside, e.g. by a stream handler the test waits for. */
export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  return { promise, resolve, reject };
}
