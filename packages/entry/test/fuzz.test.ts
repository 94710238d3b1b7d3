import { isDocsError } from '@docs/crypto';
import {
  RecordIdentifier,
  U64_MAX,
  createRecord,
  decodeAuthor,
  decodeCapability,
  decodeNamespaceSecret,
  decodeSignedEntry,
  encodeAuthor,
  encodeCapability,
  encodeNamespaceSecret,
  encodeSignedEntry,
  encodedSignedEntrySize,
  type SignedEntry,
} from '@docs/entry';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

// Seeded, reproducible: fast-check prints the seed and the shrunk counterexample on failure.
const SEED = 0x5eed_e17;
const RUNS = process.env.SLOW === '1' ? 20_000 : 1_000;

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const u64 = fc.oneof(fc.constantFrom(0n, 1n, 127n, 128n, 2n ** 53n, U64_MAX - 1n, U64_MAX), fc.bigInt({ min: 0n, max: U64_MAX }));

const signedEntry: fc.Arbitrary<SignedEntry> = fc
  .record({
    namespace: bytes(32),
    author: bytes(32),
    key: fc.uint8Array({ maxLength: 300 }),
    hash: bytes(32),
    len: u64,
    timestamp: u64,
    authorSignature: bytes(64),
    namespaceSignature: bytes(64),
  })
  .map((f) => ({
    signature: { authorSignature: f.authorSignature, namespaceSignature: f.namespaceSignature },
    entry: { id: RecordIdentifier.of(f.namespace, f.author, f.key), record: createRecord(f.hash, f.len, f.timestamp) },
  }));

/** A decoder and the encoder that must reproduce its input exactly (all encodings are canonical). */
const codecs: Array<[string, (input: Uint8Array) => Uint8Array]> = [
  ['SignedEntry', (input) => encodeSignedEntry(decodeSignedEntry(input))],
  ['Capability', (input) => encodeCapability(decodeCapability(input))],
  ['Author', (input) => encodeAuthor(decodeAuthor(input))],
  ['NamespaceSecret', (input) => encodeNamespaceSecret(decodeNamespaceSecret(input))],
];

/** Decoding either reproduces the input exactly or fails with a DOCS_ENTRY_* DocsError — nothing else. */
function decodesCanonicallyOrRefuses(roundTrip: (input: Uint8Array) => Uint8Array, input: Uint8Array): void {
  let output: Uint8Array;
  try {
    output = roundTrip(input);
  } catch (error) {
    if (!isDocsError(error) || !error.code.startsWith('DOCS_ENTRY_')) throw error;
    return;
  }
  expect(output).toEqual(input);
}

/** Truncate, extend, flip a byte, or splice random bytes into a valid encoding. */
const mutated = (valid: fc.Arbitrary<Uint8Array>) =>
  fc.tuple(valid, fc.nat(), fc.nat(255), fc.uint8Array({ maxLength: 12 }), fc.constantFrom(0, 1, 2, 3)).map(([input, at, value, extra, how]) => {
    const index = input.length === 0 ? 0 : at % input.length;
    if (how === 0) return input.slice(0, index);
    if (how === 1) return Uint8Array.of(...input, ...extra);
    if (how === 2) return input.map((byte, i) => (i === index ? value : byte));
    return Uint8Array.of(...input.slice(0, index), ...extra, ...input.slice(index));
  });

describe('SignedEntry postcard round trip', () => {
  test('encode → decode → encode is the identity, and the size function agrees', () => {
    fc.assert(
      fc.property(signedEntry, (signed) => {
        const encoded = encodeSignedEntry(signed);
        expect(encoded.length).toBe(encodedSignedEntrySize(signed));
        const decoded = decodeSignedEntry(encoded);
        expect(decoded.entry.id.bytes).toEqual(signed.entry.id.bytes);
        expect(decoded.entry.record).toEqual(signed.entry.record);
        expect(decoded.signature).toEqual(signed.signature);
        expect(encodeSignedEntry(decoded)).toEqual(encoded);
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});

describe.each(codecs)('%s decoder never throws anything but a DOCS_ENTRY_ error', (_name, roundTrip) => {
  test('random byte strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (input) => decodesCanonicallyOrRefuses(roundTrip, input)),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test('mutations of valid encodings', () => {
    const valid = signedEntry.map((signed) => encodeSignedEntry(signed));
    const validForCodec = fc.oneof(
      valid,
      bytes(32).map((seed) => Uint8Array.of(0x20, ...seed)),
      bytes(32).map((seed) => Uint8Array.of(0x00, 0x20, ...seed)),
      bytes(32).map((id) => Uint8Array.of(0x01, ...id)),
    );
    fc.assert(
      fc.property(mutated(validForCodec), (input) => decodesCanonicallyOrRefuses(roundTrip, input)),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
