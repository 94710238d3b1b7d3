import { platform } from '#platform';
import type { Blake3State } from './platform/platform.js';

/** The default BLAKE3 output length in bytes. */
export const BLAKE3_OUTPUT_LENGTH = 32;

/** The largest output length accepted (blake3-wasm allocates the output at once). */
const MAX_OUTPUT_LENGTH = 2 ** 32;

function assertData(data: unknown): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new TypeError('data must be a Uint8Array');
}

function assertOutputLength(outputLength: number): void {
  if (!Number.isSafeInteger(outputLength) || outputLength < 0 || outputLength > MAX_OUTPUT_LENGTH) {
    throw new RangeError(`outputLength must be an integer in [0, 2^32], got ${outputLength}`);
  }
}

/**
 * BLAKE3 (hash mode) of `data`. `outputLength` above 32 reads BLAKE3's extended output; the first
 * 32 bytes are always the default hash.
 * @param outputLength - bytes of output, default {@link BLAKE3_OUTPUT_LENGTH}
 */
export function blake3(data: Uint8Array, outputLength: number = BLAKE3_OUTPUT_LENGTH): Uint8Array {
  assertData(data);
  assertOutputLength(outputLength);
  return platform.blake3(data, outputLength);
}

/**
 * An incremental BLAKE3 hasher, for content that arrives in pieces or is too large to hold at once.
 * `digest` ends it: call `createBlake3()` again for another hash.
 */
export interface Blake3Hasher {
  /** Adds `data`; returns this hasher. Throws TypeError after `digest`. */
  update(data: Uint8Array): Blake3Hasher;
  /** The hash of everything added so far, `outputLength` bytes (default 32). Throws TypeError when called twice. */
  digest(outputLength?: number): Uint8Array;
}

// Frees the WebAssembly memory of hashers dropped without a digest.
const abandoned = new FinalizationRegistry<Blake3State>((state) => state.dispose());

class IncrementalBlake3 implements Blake3Hasher {
  #state: Blake3State | undefined;

  constructor() {
    this.#state = platform.createBlake3State();
    abandoned.register(this, this.#state, this);
  }

  #live(): Blake3State {
    if (this.#state === undefined) throw new TypeError('this BLAKE3 hasher was already digested');
    return this.#state;
  }

  update(data: Uint8Array): Blake3Hasher {
    assertData(data);
    this.#live().update(data);
    return this;
  }

  digest(outputLength: number = BLAKE3_OUTPUT_LENGTH): Uint8Array {
    assertOutputLength(outputLength);
    const state = this.#live();
    this.#state = undefined;
    abandoned.unregister(this);
    return state.digest(outputLength);
  }
}

/**
 * A new incremental BLAKE3 hasher (hash mode).
 */
export function createBlake3(): Blake3Hasher {
  return new IncrementalBlake3();
}
