import { bytesToHex, CRYPTO_ERROR_CODES, defaultEd25519, DocsError, type Ed25519 } from '@docs/crypto';

/** A node id: the 32-byte Ed25519 public key a node authenticates with (iroh's `NodeId`/`PublicKey`). */
export type NodeId = Uint8Array;

/** Length of a node id and of a node secret seed. */
export const NODE_ID_LENGTH = 32;

/**
 * What a transport needs of the local node: its id and a way to sign the handshake transcript.
 * {@link NodeSecret} is the usual implementation; a key held elsewhere (a hardware token, a worker) fits too.
 */
export interface NodeIdentity {
  /** The node's 32-byte id (public key). */
  readonly id: NodeId;
  /** The 64-byte Ed25519 signature of `message` under {@link NodeIdentity.id}. */
  sign(message: Uint8Array): Promise<Uint8Array>;
}

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

/** The Ed25519 secret key of a node: proves the node's id to its peers in every connection handshake. */
export class NodeSecret implements NodeIdentity {
  readonly #seed: Uint8Array;
  readonly #id: NodeId;
  readonly #backend: Ed25519;

  private constructor(seed: Uint8Array, backend: Ed25519) {
    this.#seed = seed;
    this.#backend = backend;
    this.#id = backend.publicKey(seed);
  }

  /**
   * A new random node secret (`crypto.getRandomValues`).
   * @param backend - the Ed25519 implementation to sign with (default `defaultEd25519()`)
   */
  static generate(backend: Ed25519 = defaultEd25519()): NodeSecret {
    return new NodeSecret(globalThis.crypto.getRandomValues(new Uint8Array(NODE_ID_LENGTH)), backend);
  }

  /**
   * The node secret of a 32-byte seed (copied), e.g. one persisted with {@link NodeSecret.toBytes}.
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY_LENGTH` when `seed` is not 32 bytes.
   */
  static fromBytes(seed: Uint8Array, backend: Ed25519 = defaultEd25519()): NodeSecret {
    if (!(seed instanceof Uint8Array)) throw new TypeError('seed must be a Uint8Array');
    if (seed.length !== NODE_ID_LENGTH) {
      throw new DocsError(
        CRYPTO_ERROR_CODES.invalidKeyLength,
        `a node secret seed is ${NODE_ID_LENGTH} bytes, got ${seed.length}`,
      );
    }
    return new NodeSecret(seed.slice(), backend);
  }

  /** The node id (public key), a fresh copy. */
  get id(): NodeId {
    return this.#id.slice();
  }

  /** A copy of the 32-byte seed (the secret). */
  toBytes(): Uint8Array {
    return this.#seed.slice();
  }

  /** The 64-byte Ed25519 signature of `message`. */
  sign(message: Uint8Array): Promise<Uint8Array> {
    return this.#backend.sign(this.#seed, message);
  }

  /** Node's `util.inspect` shows the id, never the secret. */
  [INSPECT](): string {
    return `NodeSecret(id: ${bytesToHex(this.#id)})`;
  }
}
