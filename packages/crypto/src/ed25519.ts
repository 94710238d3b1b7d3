import { platform } from '#platform';
import { portableEd25519 } from './ed25519-portable.js';

/**
 * An Ed25519 implementation: the seam between the native fast path (node:crypto in Node, WebCrypto in
 * browsers) and the portable one (@noble/ed25519). Every implementation verifies with the same strict
 * rule (see the package README): the shared pre-checks, then the cofactorless equation.
 */
export interface Ed25519 {
  /** `'native'` (node:crypto or WebCrypto) or `'portable'` (@noble/ed25519). */
  readonly name: 'native' | 'portable';
  /** The 32-byte public key of a 32-byte secret seed. Throws TypeError/RangeError on a bad seed. */
  publicKey(seed: Uint8Array): Uint8Array;
  /** The 64-byte RFC 8032 signature of `message` (deterministic). Rejects with TypeError/RangeError on a bad seed. */
  sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array>;
  /**
   * Whether `signature` is a valid strict signature of `message` under `publicKey`. Malformed input
   * (wrong lengths, invalid or small-order points, non-canonical encodings, S ≥ L) answers false.
   */
  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean>;
  /**
   * {@link Ed25519.verify} for many signatures at once, answers in the same order. The node:crypto backend verifies
   * batches of 32 or more on worker threads (all cores) and smaller ones on libuv's thread pool; the others verify
   * them from the calling thread. Keys verified often are verified with precomputed tables (see the README's "Key
   * tables").
   */
  verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]>;
}

/** One signature to verify with {@link Ed25519.verifyMany}. */
export interface SignatureCheck {
  readonly publicKey: Uint8Array;
  readonly message: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The platform's native Ed25519 — node:crypto in Node, WebCrypto in a browser that supports Ed25519 —
 * or undefined where there is none, or where it disagrees with the strict rule on the probe vectors.
 */
export function nativeEd25519(): Ed25519 | undefined {
  return platform.nativeEd25519();
}

let defaultBackend: Ed25519 | undefined;

/**
 * The native backend where there is one, else {@link portableEd25519}. Chosen once.
 */
export function defaultEd25519(): Ed25519 {
  defaultBackend ??= nativeEd25519() ?? portableEd25519;
  return defaultBackend;
}

/**
 * Strict Ed25519 verification with the default backend. See {@link Ed25519.verify}.
 */
export function verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  return defaultEd25519().verify(publicKey, message, signature);
}
