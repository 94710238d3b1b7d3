import { getPublicKey, hashes, Point, sign } from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { BoundedCache } from './bounded-cache.js';
import { bytesToHex } from './bytes.js';
import { assertBytes, assertSeed, assertVerifyArguments } from './ed25519-arguments.js';
import { PointTable } from './ed25519-point-table.js';
import { passesStrictChecks } from './ed25519-strict.js';
import { TableVerifier } from './ed25519-table-verifier.js';
import type { Ed25519, SignatureCheck } from './ed25519.js';

// noble's synchronous API needs a SHA-512; this is the one @noble/hashes provides.
hashes.sha512 = sha512;

/** The group order L. */
const GROUP_ORDER = (1n << 252n) + 27742317777372353535851937790883648493n;

/** A decoded public key and how often it was verified since it last had a table. */
interface DecodedKey {
  readonly point: Point;
  verificationsWithoutTable: number;
  tablesBuilt: number;
}

/** Decoded public keys (null: not a point), so that repeated keys skip the square root. */
const decodedKeys = new BoundedCache<string, DecodedKey | null>(1024);
/** Multiples tables of keys verified repeatedly (~200 KB each, hence a smaller bound: ≤ ~6 MB). */
const keyTables = new BoundedCache<string, PointTable>(32);
/**
 * Verifications without a table before one is built: 2 for a key's first table (a table costs about
 * two plain multiplications), 8 after its table was evicted, so that more than 32 keys in rotation
 * cost at most ~10% more than never building tables.
 */
const FIRST_TABLE_AFTER = 2;
const NEXT_TABLE_AFTER = 8;

/**
 * [k]A for the public key bytes, or undefined when they are not a point. A key verified repeatedly
 * gets a cached {@link PointTable}, which makes the multiplication ~7× faster.
 */
function multiplyPublicKey(publicKey: Uint8Array, k: bigint): Point | undefined {
  const cacheKey = bytesToHex(publicKey);
  let decoded = decodedKeys.get(cacheKey);
  if (decoded === undefined) {
    try {
      // Strict RFC 8032 decoding (noble's zip215: false branch).
      decoded = { point: Point.fromBytes(publicKey, false), verificationsWithoutTable: 0, tablesBuilt: 0 };
    } catch {
      decoded = null; // not a point on the curve
    }
    decodedKeys.set(cacheKey, decoded);
  }
  if (decoded === null) return undefined;
  let table = keyTables.get(cacheKey);
  if (table === undefined) {
    decoded.verificationsWithoutTable++;
    const threshold = decoded.tablesBuilt === 0 ? FIRST_TABLE_AFTER : NEXT_TABLE_AFTER;
    if (decoded.verificationsWithoutTable < threshold) return decoded.point.multiply(k, false);
    table = new PointTable(decoded.point);
    keyTables.set(cacheKey, table);
    decoded.tablesBuilt++;
    decoded.verificationsWithoutTable = 0;
  }
  return table.multiply(k);
}

function littleEndianToBigInt(bytes: Uint8Array, start: number, end: number): bigint {
  let value = 0n;
  for (let index = end - 1; index >= start; index--) value = (value << 8n) | BigInt(bytes[index]!);
  return value;
}

/**
 * The strict rule evaluated with noble's point arithmetic: the shared pre-checks, then the
 * cofactorless equation — encode `[S]B - [k]A` and compare it with the bytes of R, as ed25519-dalek's
 * `verify_strict` does. noble's own `verify` (even with `zip215: false`) checks the cofactored
 * equation and so accepts signatures with a mixed-order R that dalek and OpenSSL reject.
 */
function verifyStrict(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (!passesStrictChecks(publicKey, signature)) return false;
  const challenge = sha512.create().update(signature.subarray(0, 32)).update(publicKey).update(message).digest();
  const k = littleEndianToBigInt(challenge, 0, 64) % GROUP_ORDER;
  const kA = multiplyPublicKey(publicKey, k);
  if (kA === undefined) return false;
  const s = littleEndianToBigInt(signature, 32, 64); // < L by the pre-checks
  const expectedR = Point.BASE.multiply(s, false).subtract(kA).toBytes();
  for (let index = 0; index < 32; index++) if (expectedR[index] !== signature[index]) return false;
  return true;
}

/** Keys verified often by `verifyMany` are verified with tables in WebAssembly (~50 µs each, ~15× faster than noble). */
const tables = new TableVerifier();

/**
 * Ed25519 in portable JavaScript: @noble/ed25519 3.2 with SHA-512 from @noble/hashes. Runs anywhere;
 * slower than the native backends (see the README's benchmarks), least so when verifying many
 * signatures under one key.
 */
export const portableEd25519: Ed25519 = Object.freeze({
  name: 'portable',
  publicKey(seed: Uint8Array): Uint8Array {
    assertSeed(seed);
    return getPublicKey(seed);
  },
  async sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
    assertSeed(seed);
    assertBytes(message, 'message');
    return sign(message, seed);
  },
  async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    assertVerifyArguments(publicKey, message, signature);
    return verifyStrict(publicKey, message, signature);
  },
  async verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    for (const check of checks) assertVerifyArguments(check.publicKey, check.message, check.signature);
    return tables.verifyMany(checks, async (others) => others.map((check) => verifyStrict(check.publicKey, check.message, check.signature)));
  },
} as const);
