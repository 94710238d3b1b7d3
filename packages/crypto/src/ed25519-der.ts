/**
 * DER prefixes that wrap raw Ed25519 key bytes (RFC 8410) for node:crypto and WebCrypto imports.
 */

/** PKCS#8 `PrivateKeyInfo` for Ed25519 up to the 32-byte seed (OneAsymmetricKey v1, id-Ed25519). */
export const PKCS8_SEED_PREFIX: Uint8Array = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);

/** `SubjectPublicKeyInfo` for Ed25519 up to the 32-byte public key. */
export const SPKI_PUBLIC_KEY_PREFIX: Uint8Array = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]);

/** PKCS#8 DER of a 32-byte seed. */
export function seedToPkcs8(seed: Uint8Array): Uint8Array {
  const der = new Uint8Array(PKCS8_SEED_PREFIX.length + 32);
  der.set(PKCS8_SEED_PREFIX);
  der.set(seed, PKCS8_SEED_PREFIX.length);
  return der;
}

/** SubjectPublicKeyInfo DER of a 32-byte public key. */
export function publicKeyToSpki(publicKey: Uint8Array): Uint8Array {
  const der = new Uint8Array(SPKI_PUBLIC_KEY_PREFIX.length + 32);
  der.set(SPKI_PUBLIC_KEY_PREFIX);
  der.set(publicKey, SPKI_PUBLIC_KEY_PREFIX.length);
  return der;
}
