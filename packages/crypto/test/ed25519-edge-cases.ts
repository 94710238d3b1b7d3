/**
 * Verification cases derived for the strict rule, built with curve arithmetic (noble's Point and
 * bigints) independent of the code under test. Most of them are crafted so that a more lenient rule
 * would accept them: the cofactorless equation holds but A or R is small-order; the cofactored
 * equation holds but R or A has a torsion component; S is a valid scalar plus a multiple of L; and
 * so on. The `expected` verdict is the strict rule's.
 */
import { Point } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import type { VerifyCase } from './vectors.js';

export const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;
export const FIELD_PRIME = (1n << 255n) - 19n;

export function littleEndianToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let index = bytes.length - 1; index >= 0; index--) value = (value << 8n) | BigInt(bytes[index]!);
  return value;
}

export function bigIntTo32Bytes(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index++) {
    bytes[index] = Number(value & 0xffn);
    value >>= 8n;
  }
  if (value !== 0n) throw new RangeError('value does not fit in 32 bytes');
  return bytes;
}

/** The encoding of y with the sign bit, without reducing y (so y ≥ p gives a non-canonical encoding). */
export function encodeY(y: bigint, signBit: boolean): Uint8Array {
  const bytes = bigIntTo32Bytes(y);
  if (signBit) bytes[31]! |= 0x80;
  return bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const result = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** k = SHA-512(R || A || M) mod L, over the exact bytes. */
export function challenge(rBytes: Uint8Array, aBytes: Uint8Array, message: Uint8Array): bigint {
  return littleEndianToBigInt(sha512(concat(rBytes, aBytes, message))) % GROUP_ORDER;
}

/** A deterministic scalar in [1, L) from a label. */
export function scalarFrom(label: string): bigint {
  return (littleEndianToBigInt(sha512(utf8(label))) % (GROUP_ORDER - 1n)) + 1n;
}

/** Decodes like ZIP-215 (y reduced mod p, "-0" allowed), or undefined when y is not on the curve. */
export function decodeLenient(bytes: Uint8Array): Point | undefined {
  try {
    return Point.fromBytes(bytes, true);
  } catch {
    return undefined;
  }
}

/** The eight points of E[8]: multiples of a point of order 8. */
export function torsionPoints(): Point[] {
  const generator = Point.fromBytes(
    Uint8Array.from(
      'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'.match(/../g)!,
      (pair) => parseInt(pair, 16),
    ),
  );
  const points: Point[] = [Point.ZERO];
  for (let index = 1; index < 8; index++) points.push(points[index - 1]!.add(generator));
  return points;
}

/** Smallest d in {1, 2, 4, 8} with [d]P = O. */
export function torsionOrder(point: Point): number {
  for (const order of [1, 2, 4, 8]) if (point.multiply(BigInt(order), false).is0()) return order;
  throw new Error('not a torsion point');
}

/**
 * Every 32-byte string that a lenient decoder reads as a point of E[8]: the 8 canonical encodings
 * and 6 non-canonical ones (y ≥ p, or x = 0 with the sign bit set).
 */
export function smallOrderEncodingsIncludingNonCanonical(): Uint8Array[] {
  const yValues = new Set<bigint>();
  for (const point of torsionPoints()) yValues.add(point.y);
  const encodings: Uint8Array[] = [];
  for (const y of yValues) {
    for (const candidateY of y + FIELD_PRIME < 1n << 255n ? [y, y + FIELD_PRIME] : [y]) {
      for (const signBit of [false, true]) {
        const bytes = encodeY(candidateY, signBit);
        const point = decodeLenient(bytes);
        if (point !== undefined && point.isSmallOrder()) encodings.push(bytes);
      }
    }
  }
  return encodings;
}

/** Non-canonical encodings (y in [p, 2^255)) of points that are on the curve and not small-order. */
export function nonCanonicalLargeOrderEncodings(): Uint8Array[] {
  const encodings: Uint8Array[] = [];
  for (let y = FIELD_PRIME; y < 1n << 255n; y++) {
    for (const signBit of [false, true]) {
      const bytes = encodeY(y, signBit);
      const point = decodeLenient(bytes);
      if (point !== undefined && !point.isSmallOrder()) encodings.push(bytes);
    }
  }
  return encodings;
}

interface KeyPair {
  scalar: bigint;
  point: Point;
  encoding: Uint8Array;
}

function keyPair(label: string): KeyPair {
  const scalar = scalarFrom(`key ${label}`);
  const point = Point.BASE.multiply(scalar);
  return { scalar, point, encoding: point.toBytes() };
}

/** S = r + k·a for the given encodings of R and A. */
function responseScalar(nonce: bigint, rBytes: Uint8Array, aBytes: Uint8Array, secret: bigint, message: Uint8Array): bigint {
  return (nonce + challenge(rBytes, aBytes, message) * secret) % GROUP_ORDER;
}

/** The first message `${label} #i` whose challenge satisfies `accept`. */
function findMessage(label: string, accept: (message: Uint8Array) => boolean): Uint8Array {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const message = utf8(`${label} #${attempt}`);
    if (accept(message)) return message;
  }
  throw new Error(`no message found for ${label}`);
}

function hexOf(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** All derived cases. `cofactoredValid` marks those a ZIP-215 (cofactored, lenient) verifier accepts. */
export function deriveEdgeCases(): (VerifyCase & { cofactoredValid: boolean })[] {
  const cases: (VerifyCase & { cofactoredValid: boolean })[] = [];
  const key = keyPair('main');

  // A valid baseline signature.
  const baseMessage = utf8('baseline');
  const baseNonce = scalarFrom('nonce baseline');
  const baseR = Point.BASE.multiply(baseNonce).toBytes();
  const baseS = responseScalar(baseNonce, baseR, key.encoding, key.scalar, baseMessage);
  const baseSignature = concat(baseR, bigIntTo32Bytes(baseS));
  cases.push({ name: 'baseline valid', publicKey: key.encoding, message: baseMessage, signature: baseSignature, expected: true, cofactoredValid: true });

  // 1. Small-order A (canonical and not): R = [s]B and a message with [k]A = O, so [s]B = R + [k]A holds.
  for (const aBytes of smallOrderEncodingsIncludingNonCanonical()) {
    const torsion = decodeLenient(aBytes)!;
    const order = BigInt(torsionOrder(torsion));
    const nonce = scalarFrom(`small A ${hexOf(aBytes)}`);
    const rBytes = Point.BASE.multiply(nonce).toBytes();
    const message = findMessage(`small-order A ${hexOf(aBytes)}`, (candidate) => challenge(rBytes, aBytes, candidate) % order === 0n);
    cases.push({
      name: `small-order A ${hexOf(aBytes)} (cofactorless equation holds)`,
      publicKey: aBytes,
      message,
      signature: concat(rBytes, bigIntTo32Bytes(nonce)),
      expected: false,
      cofactoredValid: true,
    });
  }

  // 2. Small-order R (canonical and not) with S = k·a: [8](R + [k]A - [S]B) = [8]R = O.
  for (const rBytes of smallOrderEncodingsIncludingNonCanonical()) {
    const message = utf8(`small-order R ${hexOf(rBytes)}`);
    const s = (challenge(rBytes, key.encoding, message) * key.scalar) % GROUP_ORDER;
    cases.push({
      name: `small-order R ${hexOf(rBytes)}`,
      publicKey: key.encoding,
      message,
      signature: concat(rBytes, bigIntTo32Bytes(s)),
      expected: false,
      cofactoredValid: true,
    });
  }

  // 3. Non-canonical encodings (y ≥ p) of large-order points, as A and as R.
  for (const bytes of nonCanonicalLargeOrderEncodings()) {
    cases.push({
      name: `non-canonical A ${hexOf(bytes)}`,
      publicKey: bytes,
      message: baseMessage,
      signature: baseSignature,
      expected: false,
      cofactoredValid: false,
    });
    const message = utf8(`non-canonical R ${hexOf(bytes)}`);
    cases.push({
      name: `non-canonical R ${hexOf(bytes)}`,
      publicKey: key.encoding,
      message,
      signature: concat(bytes, bigIntTo32Bytes(scalarFrom(hexOf(bytes)))),
      expected: false,
      cofactoredValid: false,
    });
  }

  // 4. S out of range: the valid S plus multiples of L (valid if S were reduced), and S = L, L + 1, 2^256 - 1.
  for (let multiple = 1n; baseS + multiple * GROUP_ORDER < 1n << 256n; multiple++) {
    const s = baseS + multiple * GROUP_ORDER;
    cases.push({
      name: `S + ${multiple}L${s >= 1n << 253n ? ' (S > 2^253)' : ''}`,
      publicKey: key.encoding,
      message: baseMessage,
      signature: concat(baseR, bigIntTo32Bytes(s)),
      expected: false,
      cofactoredValid: false,
    });
  }
  for (const [label, s] of [
    ['S = L', GROUP_ORDER],
    ['S = L + 1', GROUP_ORDER + 1n],
    ['S = 2^253 + 1', (1n << 253n) + 1n],
    ['S = 2^256 - 1', (1n << 256n) - 1n],
  ] as const) {
    cases.push({ name: label, publicKey: key.encoding, message: baseMessage, signature: concat(baseR, bigIntTo32Bytes(s)), expected: false, cofactoredValid: false });
  }
  // 5. Mixed-order A = [a]B + T: the cofactorless equation holds iff [k]T = O.
  for (const torsion of torsionPoints().slice(1)) {
    const order = BigInt(torsionOrder(torsion));
    const mixedPoint = key.point.add(torsion);
    const aBytes = mixedPoint.toBytes();
    for (const holds of [true, false]) {
      const nonce = scalarFrom(`mixed A ${hexOf(aBytes)} ${holds}`);
      const rBytes = Point.BASE.multiply(nonce).toBytes();
      const message = findMessage(`mixed-order A ${hexOf(aBytes)} ${holds}`, (candidate) => (challenge(rBytes, aBytes, candidate) % order === 0n) === holds);
      cases.push({
        name: `mixed-order A (torsion order ${order}), [k]T ${holds ? '= O: valid' : '≠ O'}`,
        publicKey: aBytes,
        message,
        signature: concat(rBytes, bigIntTo32Bytes(responseScalar(nonce, rBytes, aBytes, key.scalar, message))),
        expected: holds,
        cofactoredValid: true,
      });
    }
  }

  // 6. Mixed-order R = [r]B + T with S = r + k·a: cofactored-valid, never cofactorless-valid.
  for (const torsion of torsionPoints().slice(1)) {
    const nonce = scalarFrom(`mixed R ${torsion.toHex()}`);
    const rBytes = Point.BASE.multiply(nonce).add(torsion).toBytes();
    const message = utf8(`mixed-order R ${hexOf(rBytes)}`);
    cases.push({
      name: `mixed-order R (torsion order ${torsionOrder(torsion)})`,
      publicKey: key.encoding,
      message,
      signature: concat(rBytes, bigIntTo32Bytes(responseScalar(nonce, rBytes, key.encoding, key.scalar, message))),
      expected: false,
      cofactoredValid: true,
    });
  }

  // 7. Points not on the curve, as A and as R.
  const offCurve: Uint8Array[] = [];
  for (let y = 2n; offCurve.length < 2; y++) {
    const bytes = encodeY(y, false);
    if (decodeLenient(bytes) === undefined) offCurve.push(bytes);
  }
  for (const bytes of offCurve) {
    cases.push({ name: `A not on the curve ${hexOf(bytes)}`, publicKey: bytes, message: baseMessage, signature: baseSignature, expected: false, cofactoredValid: false });
    cases.push({ name: `R not on the curve ${hexOf(bytes)}`, publicKey: key.encoding, message: baseMessage, signature: concat(bytes, baseSignature.subarray(32)), expected: false, cofactoredValid: false });
  }

  // 8. Wrong lengths of an otherwise valid signature and key.
  const lengthCases: [string, Uint8Array, Uint8Array][] = [
    ['public key 31 bytes', key.encoding.subarray(0, 31), baseSignature],
    ['public key 33 bytes', concat(key.encoding, new Uint8Array(1)), baseSignature],
    ['public key empty', new Uint8Array(0), baseSignature],
    ['signature 63 bytes', key.encoding, baseSignature.subarray(0, 63)],
    ['signature 65 bytes', key.encoding, concat(baseSignature, new Uint8Array(1))],
    ['signature empty', key.encoding, new Uint8Array(0)],
  ];
  for (const [name, publicKey, signature] of lengthCases) {
    cases.push({ name, publicKey, message: baseMessage, signature, expected: false, cofactoredValid: false });
  }
  return cases;
}
