/**
 * The strict Ed25519 pre-checks shared by every verification path (native and portable), so that all
 * paths apply one rule: ed25519-dalek 2.x `verify_strict`, plus rejection of every non-canonical point
 * encoding. After these checks pass, a path only has to evaluate the cofactorless equation
 * `[S]B = R + [k]A` and compare the encoding of `[S]B - [k]A` with the bytes of R.
 *
 * Everything here is byte comparison; no big-integer or curve arithmetic on the hot path.
 */

/** Length of an Ed25519 public key and of a point encoding. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;
/** Length of an Ed25519 signature: R (32) || S (32). */
export const ED25519_SIGNATURE_LENGTH = 64;

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const GROUP_ORDER_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!, (pair) => parseInt(pair, 16));
}

/**
 * The canonical encodings of the eight points of order dividing 8 (the torsion subgroup E[8]):
 * the identity, the point of order 2, the two points of order 4 and the four points of order 8.
 * Non-canonical encodings of these points are rejected by {@link isCanonicalPointEncoding} first, so
 * this list is complete for the points that reach the small-order test.
 */
export const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0100000000000000000000000000000000000000000000000000000000000000', // identity (0, 1)
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', // order 2 (0, -1)
  '0000000000000000000000000000000000000000000000000000000000000000', // order 4 (+sqrt(-1), 0)
  '0000000000000000000000000000000000000000000000000000000000000080', // order 4 (-sqrt(-1), 0)
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', // order 8
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', // order 8
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85', // order 8
].map(fromHex);

/**
 * Whether the 32 bytes at `offset` are a scalar strictly below the group order L (little-endian).
 * Rejects S = L, S = L + 1, every S with one of the top three bits set, and so on.
 */
export function isCanonicalScalar(bytes: Uint8Array, offset = 0): boolean {
  for (let index = 31; index >= 0; index--) {
    const byte = bytes[offset + index]!;
    const bound = GROUP_ORDER_LE[index]!;
    if (byte !== bound) return byte < bound;
  }
  return false; // equal to L
}

/**
 * Whether the 32 bytes at `offset` are the canonical encoding of their y coordinate and sign:
 * y < p = 2^255 - 19, and the sign bit is clear when x = 0 (y = 1 or y = p - 1, "negative zero").
 * Says nothing about whether y is on the curve; the equation check rejects points that are not.
 */
export function isCanonicalPointEncoding(bytes: Uint8Array, offset = 0): boolean {
  const last = bytes[offset + 31]!;
  if ((last & 0x7f) === 0x7f) {
    // y >= 2^255 - 128: non-canonical iff bytes 1..30 are all 0xff and byte 0 >= 0xed (y >= p),
    // or y = p - 1 = 0x7fff…ffec with the sign bit set (x = 0, "-0").
    for (let index = 1; index < 31; index++) if (bytes[offset + index] !== 0xff) return true;
    const first = bytes[offset]!;
    return first < 0xec || (first === 0xec && last === 0x7f);
  }
  if (last === 0x80 && bytes[offset] === 0x01) {
    // y = 1 with the sign bit set (x = 0, "-0").
    for (let index = 1; index < 31; index++) if (bytes[offset + index] !== 0) return true;
    return false;
  }
  return true;
}

/**
 * Whether the 32 bytes at `offset` equal one of {@link SMALL_ORDER_ENCODINGS}.
 */
export function isSmallOrderEncoding(bytes: Uint8Array, offset = 0): boolean {
  for (const encoding of SMALL_ORDER_ENCODINGS) {
    if (bytes[offset] !== encoding[0] || bytes[offset + 31] !== encoding[31]) continue;
    let equal = true;
    for (let index = 1; index < 31; index++) {
      if (bytes[offset + index] !== encoding[index]) {
        equal = false;
        break;
      }
    }
    if (equal) return true;
  }
  return false;
}

/**
 * The strict rule minus the group equation. True iff the public key is 32 bytes, the signature is
 * 64 bytes, S < L, A and R are canonical encodings, and neither A nor R is a small-order point.
 * A verification path returns false when this returns false, and otherwise decides by the
 * cofactorless equation.
 */
export function passesStrictChecks(publicKey: Uint8Array, signature: Uint8Array): boolean {
  return (
    publicKey.length === ED25519_PUBLIC_KEY_LENGTH &&
    signature.length === ED25519_SIGNATURE_LENGTH &&
    isCanonicalScalar(signature, 32) &&
    isCanonicalPointEncoding(publicKey) &&
    isCanonicalPointEncoding(signature) &&
    !isSmallOrderEncoding(publicKey) &&
    !isSmallOrderEncoding(signature)
  );
}
