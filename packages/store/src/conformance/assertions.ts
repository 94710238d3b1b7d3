import { bytesToHex, equalBytes, isDocsError } from '@docs/crypto';
import { encodeSignedEntry, type SignedEntry } from '@docs/entry';
import { expect } from 'vitest';
import { describeEntry } from './fixtures.js';

const encodings = new WeakMap<SignedEntry, string>();

/** The hex of an entry's postcard encoding (everything: id, record, both signatures), cached per object. */
function encodingOf(signed: SignedEntry): string {
  let encoding = encodings.get(signed);
  if (encoding === undefined) {
    encoding = bytesToHex(encodeSignedEntry(signed));
    encodings.set(signed, encoding);
  }
  return encoding;
}

/** Asserts that two lists hold the same signed entries (byte for byte, signatures included) in the same order. */
export function expectSameEntries(actual: readonly SignedEntry[], expected: readonly SignedEntry[], message?: string): void {
  if (actual.length === expected.length && actual.every((signed, index) => encodingOf(signed) === encodingOf(expected[index]!))) {
    return;
  }
  // Different: fail with a readable diff first, then with the exact bytes.
  expect(actual.map(describeEntry), message).toEqual(expected.map(describeEntry));
  expect(actual.map(encodingOf), message).toEqual(expected.map(encodingOf));
}

/** Asserts that an entry is (byte for byte) the expected one, or that both are undefined. */
export function expectSameEntry(actual: SignedEntry | undefined, expected: SignedEntry | undefined, message?: string): void {
  expectSameEntries(actual === undefined ? [] : [actual], expected === undefined ? [] : [expected], message);
}

/** Asserts hex equality of two byte strings (readable diffs). */
export function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array | undefined, message?: string): void {
  if (actual !== undefined && expected !== undefined && equalBytes(actual, expected)) return;
  expect(actual === undefined ? undefined : bytesToHex(actual), message).toBe(
    expected === undefined ? undefined : bytesToHex(expected),
  );
}

/** Asserts that a value is a plain `Uint8Array` (its prototype is `Uint8Array.prototype`, so never a Node Buffer). */
export function expectPlainBytes(value: unknown, what: string): void {
  expect(value instanceof Uint8Array, `${what} is a Uint8Array`).toBe(true);
  expect(Object.getPrototypeOf(value) === Uint8Array.prototype, `${what} is a plain Uint8Array, not a subclass`).toBe(true);
}

/** Asserts that every byte field of a signed entry is a plain `Uint8Array`. */
export function expectPlainEntry(signed: SignedEntry, what: string): void {
  expectPlainBytes(signed.entry.id.bytes, `${what}: id bytes`);
  expectPlainBytes(signed.entry.id.key, `${what}: key`);
  expectPlainBytes(signed.entry.record.hash, `${what}: content hash`);
  expectPlainBytes(signed.signature.authorSignature, `${what}: author signature`);
  expectPlainBytes(signed.signature.namespaceSignature, `${what}: namespace signature`);
}

/** Runs `action` and asserts that it fails with a `DocsError` carrying `code`. */
export async function expectDocsError(action: () => unknown, code: string): Promise<void> {
  let caught: unknown;
  let failed = false;
  try {
    await action();
  } catch (error) {
    failed = true;
    caught = error;
  }
  expect(failed, `expected a failure with ${code}`).toBe(true);
  expect(isDocsError(caught), `expected a DocsError with ${code}, got ${String(caught)}`).toBe(true);
  expect((caught as { code: string }).code).toBe(code);
}
