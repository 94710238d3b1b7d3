import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isCanonicalPointEncoding,
  isCanonicalScalar,
  isSmallOrderEncoding,
  passesStrictChecks,
  SMALL_ORDER_ENCODINGS,
} from '../src/ed25519-strict.js';
import {
  bigIntTo32Bytes,
  encodeY,
  FIELD_PRIME,
  GROUP_ORDER,
  littleEndianToBigInt,
  smallOrderEncodingsIncludingNonCanonical,
  torsionOrder,
  torsionPoints,
} from './ed25519-edge-cases.js';
import { hex, readVectors, toHex, type Zip215Vector } from './vectors.js';

const PROPERTY_SEED = 0x57_41c7;
const RUNS = process.env.SLOW === '1' ? 20_000 : 2_000;

/** The canonicality rule written with bigints: y < p, and no sign bit when x = 0 (y = 1 or p - 1). */
function referenceIsCanonical(bytes: Uint8Array): boolean {
  const signBit = (bytes[31]! & 0x80) !== 0;
  const y = littleEndianToBigInt(bytes) & ((1n << 255n) - 1n);
  if (y >= FIELD_PRIME) return false;
  return !(signBit && (y === 1n || y === FIELD_PRIME - 1n));
}

/** 32 bytes biased towards the boundaries (runs of 0x00 and 0xff, values near p and L). */
const boundaryBiased32Bytes = fc.oneof(
  fc.uint8Array({ minLength: 32, maxLength: 32 }),
  fc.tuple(fc.integer({ min: -40, max: 40 }), fc.boolean(), fc.constantFrom(FIELD_PRIME, 1n, 0n, FIELD_PRIME - 1n)).map(
    ([delta, sign, base]) => encodeY((((base + BigInt(delta)) % (1n << 255n)) + (1n << 255n)) % (1n << 255n), sign),
  ),
  fc.tuple(fc.integer({ min: -40, max: 40 }), fc.nat(15)).map(([delta, multiple]) =>
    bigIntTo32Bytes((GROUP_ORDER * BigInt(multiple) + BigInt(delta) + (1n << 256n)) % (1n << 256n)),
  ),
  fc.tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.nat(31)).map(([bytes, from]) => {
    const copy = bytes.slice();
    copy.fill(0xff, from, 31);
    return copy;
  }),
);

describe('SMALL_ORDER_ENCODINGS', () => {
  it('are exactly the canonical encodings of the eight points of E[8]', () => {
    const computed = torsionPoints().map((point) => toHex(point.toBytes()));
    expect(new Set(computed).size).toBe(8);
    expect(new Set(SMALL_ORDER_ENCODINGS.map(toHex))).toEqual(new Set(computed));
    expect(torsionPoints().map(torsionOrder).sort()).toEqual([1, 2, 4, 4, 8, 8, 8, 8]);
  });

  it('together with the non-canonical rule cover every encoding of a small-order point (the ZIP-215 A and R set)', () => {
    const all = smallOrderEncodingsIncludingNonCanonical();
    expect(all).toHaveLength(14);
    const zip215 = readVectors<Zip215Vector[]>('ed25519-zip215.json');
    expect(new Set(zip215.map((vector) => vector.vk_bytes))).toEqual(new Set(all.map(toHex)));
    for (const bytes of all) expect(isSmallOrderEncoding(bytes) || !isCanonicalPointEncoding(bytes)).toBe(true);
  });
});

describe('isCanonicalPointEncoding', () => {
  it('rejects every y in [p, 2^255) with either sign, and the two "negative zero" encodings', () => {
    for (let y = FIELD_PRIME; y < 1n << 255n; y++) {
      expect(isCanonicalPointEncoding(encodeY(y, false))).toBe(false);
      expect(isCanonicalPointEncoding(encodeY(y, true))).toBe(false);
    }
    expect(isCanonicalPointEncoding(encodeY(1n, true))).toBe(false);
    expect(isCanonicalPointEncoding(encodeY(FIELD_PRIME - 1n, true))).toBe(false);
    expect(isCanonicalPointEncoding(encodeY(1n, false))).toBe(true);
    expect(isCanonicalPointEncoding(encodeY(FIELD_PRIME - 1n, false))).toBe(true);
    expect(isCanonicalPointEncoding(encodeY(FIELD_PRIME - 2n, true))).toBe(true);
  });

  it('matches the bigint rule on boundary-biased random bytes (seeded)', () => {
    fc.assert(
      fc.property(boundaryBiased32Bytes, (bytes) => {
        expect(isCanonicalPointEncoding(bytes)).toBe(referenceIsCanonical(bytes));
      }),
      { seed: PROPERTY_SEED, numRuns: RUNS },
    );
  });

  it('reads at an offset', () => {
    const bytes = new Uint8Array(64);
    bytes.set(encodeY(FIELD_PRIME, false), 32);
    expect(isCanonicalPointEncoding(bytes, 0)).toBe(true);
    expect(isCanonicalPointEncoding(bytes, 32)).toBe(false);
  });
});

describe('isCanonicalScalar', () => {
  it('accepts S < L only: L - 1 yes; L, L + 1, 2^253, 2^256 - 1 no', () => {
    expect(isCanonicalScalar(bigIntTo32Bytes(0n))).toBe(true);
    expect(isCanonicalScalar(bigIntTo32Bytes(GROUP_ORDER - 1n))).toBe(true);
    expect(isCanonicalScalar(bigIntTo32Bytes(GROUP_ORDER))).toBe(false);
    expect(isCanonicalScalar(bigIntTo32Bytes(GROUP_ORDER + 1n))).toBe(false);
    expect(isCanonicalScalar(bigIntTo32Bytes(1n << 253n))).toBe(false);
    expect(isCanonicalScalar(bigIntTo32Bytes((1n << 256n) - 1n))).toBe(false);
  });

  it('matches S < L on boundary-biased random bytes (seeded)', () => {
    fc.assert(
      fc.property(boundaryBiased32Bytes, (bytes) => {
        expect(isCanonicalScalar(bytes)).toBe(littleEndianToBigInt(bytes) < GROUP_ORDER);
      }),
      { seed: PROPERTY_SEED, numRuns: RUNS },
    );
  });
});

describe('passesStrictChecks', () => {
  const publicKey = hex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
  const signature = hex(
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  );

  it('passes a well-formed key and signature', () => {
    expect(passesStrictChecks(publicKey, signature)).toBe(true);
  });

  it('fails on each condition on its own', () => {
    const withR = (r: Uint8Array): Uint8Array => Uint8Array.from([...r, ...signature.subarray(32)]);
    const withS = (s: Uint8Array): Uint8Array => Uint8Array.from([...signature.subarray(0, 32), ...s]);
    expect(passesStrictChecks(publicKey.subarray(1), signature)).toBe(false);
    expect(passesStrictChecks(publicKey, signature.subarray(1))).toBe(false);
    expect(passesStrictChecks(publicKey, withS(bigIntTo32Bytes(GROUP_ORDER)))).toBe(false);
    expect(passesStrictChecks(encodeY(FIELD_PRIME + 3n, false), signature)).toBe(false);
    expect(passesStrictChecks(publicKey, withR(encodeY(FIELD_PRIME + 3n, false)))).toBe(false);
    for (const encoding of SMALL_ORDER_ENCODINGS) {
      expect(passesStrictChecks(encoding, signature)).toBe(false);
      expect(passesStrictChecks(publicKey, withR(encoding))).toBe(false);
    }
  });
});
