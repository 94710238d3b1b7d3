import { Author, NamespaceSecret } from '@docs/crypto';
import { takeSeedBytes } from './capability.js';
import { PostcardReader, PostcardWriter } from './postcard.js';

/** Postcard bytes of an author secret: `0x20` + the 32-byte seed (serde `serialize_bytes`). */
export function encodeAuthor(author: Author): Uint8Array {
  return new PostcardWriter(33).bytes(author.toBytes()).finish();
}

/** Decodes {@link encodeAuthor} output; malformed input → `DOCS_ENTRY_*`. */
export function decodeAuthor(bytes: Uint8Array): Author {
  const reader = new PostcardReader(bytes);
  const seed = takeSeedBytes(reader, 'author secret');
  reader.end('author secret');
  return Author.fromBytes(seed);
}

/** Postcard bytes of a namespace secret: `0x20` + the 32-byte seed. */
export function encodeNamespaceSecret(secret: NamespaceSecret): Uint8Array {
  return new PostcardWriter(33).bytes(secret.toBytes()).finish();
}

/** Decodes {@link encodeNamespaceSecret} output; malformed input → `DOCS_ENTRY_*`. */
export function decodeNamespaceSecret(bytes: Uint8Array): NamespaceSecret {
  const reader = new PostcardReader(bytes);
  const seed = takeSeedBytes(reader, 'namespace secret');
  reader.end('namespace secret');
  return NamespaceSecret.fromBytes(seed);
}
