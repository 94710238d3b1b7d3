/**
 * Argument checks shared by the Ed25519 backends. A wrong type or a wrong seed length is a programmer
 * mistake (TypeError/RangeError); a malformed public key or signature is an expected negative that
 * `verify` answers with `false`, so those lengths are not checked here.
 */

/** Length of an Ed25519 secret key seed. */
export const ED25519_SEED_LENGTH = 32;

/** Throws TypeError unless `value` is a Uint8Array. */
export function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

/** Throws TypeError/RangeError unless `seed` is a 32-byte Uint8Array. */
export function assertSeed(seed: unknown): asserts seed is Uint8Array {
  assertBytes(seed, 'seed');
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`seed must be ${ED25519_SEED_LENGTH} bytes, got ${seed.length}`);
  }
}

/** Throws TypeError unless all three verification inputs are Uint8Arrays. */
export function assertVerifyArguments(publicKey: unknown, message: unknown, signature: unknown): void {
  assertBytes(publicKey, 'publicKey');
  assertBytes(message, 'message');
  assertBytes(signature, 'signature');
}
