import { createHash } from 'node:crypto';
import type { RangeItemTraits } from '@docs/rbsr';

/** A test item: a byte key and a numeric value (the reference tests use `(&str, i32)` and `(String, ())`). */
export interface TestItem {
  readonly key: Uint8Array;
  readonly value: number;
}

/** The reference's empty fingerprint, BLAKE3 of no bytes. */
export const EMPTY_FINGERPRINT: Uint8Array = Uint8Array.from(
  Buffer.from('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262', 'hex'),
);

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A key from text (UTF-8, so bytewise order is Rust's `str` order). */
export function textKey(text: string): Uint8Array {
  return encoder.encode(text);
}

/** The text of a key, for readable assertions. */
export function keyText(key: Uint8Array): string {
  return decoder.decode(key);
}

/** An item from a text key and a value. */
export function item(key: string, value = 0): TestItem {
  return { key: textKey(key), value };
}

/** Items from `[key, value]` pairs. */
export function items(pairs: ReadonlyArray<readonly [string, number]>): TestItem[] {
  return pairs.map(([key, value]) => item(key, value));
}

const fingerprints = new WeakMap<TestItem, Uint8Array>();

/** Test traits: SHA-256 fingerprints of key and value, values compared numerically. */
export const testTraits: RangeItemTraits<TestItem> = {
  key: (entry) => entry.key,
  compareValues: (a, b) => a.value - b.value,
  fingerprint: (entry) => {
    let fingerprint = fingerprints.get(entry);
    if (fingerprint === undefined) {
      const hash = createHash('sha256').update(entry.key).update(`/${entry.value}`).digest();
      fingerprint = new Uint8Array(hash.buffer, hash.byteOffset, hash.byteLength);
      fingerprints.set(entry, fingerprint);
    }
    return fingerprint;
  },
  encodedSize: (entry) => 1 + entry.key.length + 8,
};

/** `key=value` for readable assertions. */
export function describeItem(entry: TestItem): string {
  return `${keyText(entry.key)}=${entry.value}`;
}
