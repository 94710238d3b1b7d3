import type { Ed25519 } from '../ed25519.js';

/**
 * Incremental BLAKE3 state of a platform's implementation. `digest` ends the state and frees it;
 * `dispose` frees a state that will never be digested.
 */
export interface Blake3State {
  update(data: Uint8Array): void;
  /** The first `outputLength` bytes of the extended output, as a plain Uint8Array. */
  digest(outputLength: number): Uint8Array;
  dispose(): void;
}

/**
 * What differs between Node and browsers. `#platform` resolves to `./node.ts` or `./browser.ts`
 * (package.json "imports", by the `browser` export condition); both export a `platform` of this type.
 */
export interface Platform {
  /** `'node'` or `'browser'`. */
  readonly name: 'node' | 'browser';
  /** One-shot BLAKE3 hash mode; returns a plain Uint8Array of `outputLength` bytes. */
  blake3(data: Uint8Array, outputLength: number): Uint8Array;
  /** A new incremental BLAKE3 state in hash mode. */
  createBlake3State(): Blake3State;
  /** The platform's native Ed25519 (node:crypto or WebCrypto), or undefined. Cached after the first call. */
  nativeEd25519(): Ed25519 | undefined;
}
