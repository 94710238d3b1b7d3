import { base32ToBytes, bytesToBase32, bytesToHex, hexToBytes } from './bytes.js';
import { defaultEd25519, type Ed25519 } from './ed25519.js';
import { CRYPTO_ERROR_CODES, DocsError, type DocsErrorCode } from './errors.js';
import { SigningKey } from './signing-key.js';

/** A namespace id: the 32-byte Ed25519 public key of a {@link NamespaceSecret}. Read capability. */
export type NamespaceId = Uint8Array;
/** An author id: the 32-byte Ed25519 public key of an {@link Author}. */
export type AuthorId = Uint8Array;

/** Length of ids (public keys). */
const KEY_LENGTH = 32;
const HEX_TEXT_LENGTH = 64;
const BASE32_TEXT_LENGTH = 52;

/** Decodes 64 hex or 52 base32 characters into 32 bytes; other lengths answer undefined. */
function decodeKeyText(text: string): Uint8Array | undefined {
  if (text.length === HEX_TEXT_LENGTH) return hexToBytes(text);
  if (text.length === BASE32_TEXT_LENGTH) return base32ToBytes(text);
  return undefined;
}

function parseKeyText(text: string, code: DocsErrorCode, what: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError(`${what} text must be a string`);
  let bytes: Uint8Array | undefined;
  try {
    bytes = decodeKeyText(text);
  } catch (cause) {
    throw new DocsError(code, `invalid ${what} text: ${(cause as Error).message}`, { cause });
  }
  if (bytes === undefined) {
    throw new DocsError(code, `${what} text must be 64 hex or 52 base32 characters, got ${text.length}`);
  }
  return bytes;
}

/** What the seed of a namespace secret or an author is called in a wrong-length error. */
const SEED_NAME = 'secret key';

/**
 * The secret key of a namespace (an Ed25519 signing key): the write capability of a document.
 * Its public key is the {@link NamespaceId}.
 */
export class NamespaceSecret extends SigningKey {
  /** Keeps the type nominal: an {@link Author} is not a NamespaceSecret (no runtime field). */
  declare private readonly namespaceSecretBrand: never;

  private constructor(seed: Uint8Array, backend: Ed25519) {
    super(seed, backend);
  }

  /**
   * A new random namespace secret (`crypto.getRandomValues`).
   * @param backend - the Ed25519 implementation to sign with (default {@link defaultEd25519})
   */
  static generate(backend: Ed25519 = defaultEd25519()): NamespaceSecret {
    return new NamespaceSecret(SigningKey.randomSeed(), backend);
  }

  /**
   * The namespace secret of a 32-byte seed (copied).
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY_LENGTH` when `seed` is not 32 bytes.
   */
  static fromBytes(seed: Uint8Array, backend: Ed25519 = defaultEd25519()): NamespaceSecret {
    return new NamespaceSecret(SigningKey.copySeed(seed, SEED_NAME), backend);
  }

  /**
   * Parses the seed from 64 hex or 52 base32 characters (either case).
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY` otherwise.
   */
  static fromString(text: string, backend: Ed25519 = defaultEd25519()): NamespaceSecret {
    return new NamespaceSecret(parseKeyText(text, CRYPTO_ERROR_CODES.invalidKey, 'namespace secret'), backend);
  }

  /** Lowercase hex of the seed (the secret). */
  override toString(): string {
    return bytesToHex(this.toBytes());
  }

  protected get inspectLabel(): string {
    return 'NamespaceSecret';
  }
}

/**
 * The secret key of an author (an Ed25519 signing key). Its public key is the {@link AuthorId}.
 */
export class Author extends SigningKey {
  /** Keeps the type nominal: a {@link NamespaceSecret} is not an Author (no runtime field). */
  declare private readonly authorBrand: never;

  private constructor(seed: Uint8Array, backend: Ed25519) {
    super(seed, backend);
  }

  /**
   * A new random author (`crypto.getRandomValues`).
   * @param backend - the Ed25519 implementation to sign with (default {@link defaultEd25519})
   */
  static generate(backend: Ed25519 = defaultEd25519()): Author {
    return new Author(SigningKey.randomSeed(), backend);
  }

  /**
   * The author of a 32-byte seed (copied).
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY_LENGTH` when `seed` is not 32 bytes.
   */
  static fromBytes(seed: Uint8Array, backend: Ed25519 = defaultEd25519()): Author {
    return new Author(SigningKey.copySeed(seed, SEED_NAME), backend);
  }

  /**
   * Parses the seed from 64 hex or 52 base32 characters (either case).
   * @throws DocsError `DOCS_CRYPTO_INVALID_KEY` otherwise.
   */
  static fromString(text: string, backend: Ed25519 = defaultEd25519()): Author {
    return new Author(parseKeyText(text, CRYPTO_ERROR_CODES.invalidKey, 'author'), backend);
  }

  /** Lowercase hex of the seed (the secret). */
  override toString(): string {
    return bytesToHex(this.toBytes());
  }

  protected get inspectLabel(): string {
    return 'Author';
  }
}

/**
 * The text form of a 32-byte id: lowercase hex (iroh-docs head, the default) or lowercase unpadded
 * RFC 4648 base32 (iroh v0.12).
 */
export function idToString(id: Uint8Array, format: 'hex' | 'base32' = 'hex'): string {
  if (!(id instanceof Uint8Array)) throw new TypeError('id must be a Uint8Array');
  if (id.length !== KEY_LENGTH) throw new RangeError(`an id is ${KEY_LENGTH} bytes, got ${id.length}`);
  if (format === 'hex') return bytesToHex(id);
  if (format === 'base32') return bytesToBase32(id);
  throw new TypeError(`format must be 'hex' or 'base32', got ${String(format)}`);
}

/**
 * Parses an id from 64 hex or 52 base32 characters (either case) into 32 bytes. Whether the bytes
 * are a valid public key is not checked here: verification with an invalid key answers false.
 * @throws DocsError `DOCS_CRYPTO_INVALID_ID` otherwise.
 */
export function parseId(text: string): Uint8Array {
  return parseKeyText(text, CRYPTO_ERROR_CODES.invalidId, 'id');
}
