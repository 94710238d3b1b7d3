export { BLAKE3_OUTPUT_LENGTH, blake3, createBlake3, type Blake3Hasher } from './blake3.js';
export {
  base32ToBytes,
  bytesToBase32,
  bytesToHex,
  bytesToMapKey,
  compareBytes,
  concatBytes,
  equalBytes,
  hexToBytes,
} from './bytes.js';
export { defaultEd25519, nativeEd25519, verify, type Ed25519, type SignatureCheck } from './ed25519.js';
export { portableEd25519 } from './ed25519-portable.js';
export { CRYPTO_ERROR_CODES, DocsError, isDocsError, type CryptoErrorCode, type DocsErrorCode } from './errors.js';
export { SigningKey } from './signing-key.js';
export { Author, idToString, NamespaceSecret, parseId, type AuthorId, type NamespaceId } from './keys.js';
