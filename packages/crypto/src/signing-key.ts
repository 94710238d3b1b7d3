import { bytesToHex } from './bytes.js';
import { ED25519_SEED_LENGTH } from './ed25519-arguments.js';
import type { Ed25519 } from './ed25519.js';
import { CRYPTO_ERROR_CODES, DocsError } from './errors.js';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/**
 * The shared body of every Ed25519 secret key of @docs (`NamespaceSecret`, `Author`, and `NodeSecret` of
 * `@docs/sync-transport`): a private 32-byte seed, its public key (the id) and the backend that signs.
 *
 * A concrete key class adds only its name, its static constructors (which build the seed with
 * {@link SigningKey.randomSeed} or {@link SigningKey.copySeed}) and its {@link SigningKey.inspectLabel}. It also
 * declares a private brand property, so that TypeScript keeps the key classes apart: an `Author` is not assignable
 * to a `NamespaceSecret`, although both have the same public shape.
 *
 * The seed never leaves the object except through {@link SigningKey.toBytes} (a copy): `util.inspect` shows the
 * id only, and `JSON.stringify` shows nothing (the state lives in ES private fields).
 */
export abstract class SigningKey {
  readonly #seed: Uint8Array;
  readonly #id: Uint8Array;
  readonly #backend: Ed25519;

  /**
   * @param seed - a 32-byte seed that this key now owns: one from {@link SigningKey.randomSeed} or
   *   {@link SigningKey.copySeed}, never an array the caller keeps
   * @param backend - the Ed25519 implementation that derives the id and signs
   */
  protected constructor(seed: Uint8Array, backend: Ed25519) {
    this.#seed = seed;
    this.#backend = backend;
    this.#id = backend.publicKey(seed);
  }

  /** A new random 32-byte seed (`crypto.getRandomValues`). */
  protected static randomSeed(): Uint8Array {
    return globalThis.crypto.getRandomValues(new Uint8Array(ED25519_SEED_LENGTH));
  }

  /**
   * A private copy of a caller's 32-byte seed.
   * @param seedName - what the seed belongs to, for the error message (`a <seedName> seed is 32 bytes, got …`)
   * @throws TypeError when `seed` is not a Uint8Array
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY_LENGTH` when `seed` is not 32 bytes
   */
  protected static copySeed(seed: Uint8Array, seedName: string): Uint8Array {
    if (!(seed instanceof Uint8Array)) throw new TypeError('seed must be a Uint8Array');
    if (seed.length !== ED25519_SEED_LENGTH) {
      throw new DocsError(
        CRYPTO_ERROR_CODES.invalidKeyLength,
        `a ${seedName} seed is ${ED25519_SEED_LENGTH} bytes, got ${seed.length}`,
      );
    }
    return seed.slice();
  }

  /** The name `util.inspect` shows before the id, e.g. `Author`. */
  protected abstract get inspectLabel(): string;

  /** The 32-byte id (Ed25519 public key), a fresh copy. */
  get id(): Uint8Array {
    return this.#id.slice();
  }

  /** The Ed25519 implementation this key signs with. */
  get backend(): Ed25519 {
    return this.#backend;
  }

  /** A copy of the 32-byte seed (the secret). */
  toBytes(): Uint8Array {
    return this.#seed.slice();
  }

  /** The 64-byte Ed25519 signature of `message`. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    return this.#backend.sign(this.#seed, message);
  }

  /** Node's `util.inspect` shows the label and the id, never the secret. */
  [INSPECT](): string {
    return `${this.inspectLabel}(id: ${bytesToHex(this.#id)})`;
  }
}
