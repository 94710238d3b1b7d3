import { defaultEd25519, SigningKey, type Ed25519 } from '@docs/crypto';

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

/** The Ed25519 secret key of a node: proves the node's id to its peers in every connection handshake. */
export class NodeSecret extends SigningKey implements NodeIdentity {
  /** Keeps the type nominal: an `Author` or a `NamespaceSecret` is not a NodeSecret (no runtime field). */
  declare private readonly nodeSecretBrand: never;

  private constructor(seed: Uint8Array, backend: Ed25519) {
    super(seed, backend);
  }

  /**
   * A new random node secret (`crypto.getRandomValues`).
   * @param backend - the Ed25519 implementation to sign with (default `defaultEd25519()`)
   */
  static generate(backend: Ed25519 = defaultEd25519()): NodeSecret {
    return new NodeSecret(SigningKey.randomSeed(), backend);
  }

  /**
   * The node secret of a 32-byte seed (copied), e.g. one persisted with {@link NodeSecret.toBytes}.
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY_LENGTH` when `seed` is not 32 bytes.
   */
  static fromBytes(seed: Uint8Array, backend: Ed25519 = defaultEd25519()): NodeSecret {
    return new NodeSecret(SigningKey.copySeed(seed, 'node secret'), backend);
  }

  protected get inspectLabel(): string {
    return 'NodeSecret';
  }
}
