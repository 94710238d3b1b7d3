import { BoundedCache } from './bounded-cache.js';
import { bytesToHex, equalBytes } from './bytes.js';
import { seedToPkcs8 } from './ed25519-der.js';
import { assertBytes, assertSeed, assertVerifyArguments } from './ed25519-arguments.js';
import { portableEd25519 } from './ed25519-portable.js';
import {
  MIXED_ORDER_PROBE_MESSAGE,
  MIXED_ORDER_PROBE_SIGNATURE,
  PROBE_MESSAGE,
  PROBE_PUBLIC_KEY,
  PROBE_SEED,
  PROBE_SIGNATURE,
} from './ed25519-probe.js';
import { passesStrictChecks } from './ed25519-strict.js';
import { TableVerifier } from './ed25519-table-verifier.js';
import type { Ed25519, SignatureCheck } from './ed25519.js';

/** How many imported keys of each kind stay cached. */
const KEY_CACHE_CAPACITY = 4096;
const ED25519_ALGORITHM = { name: 'Ed25519' } as const;

/** `bytes` typed as WebCrypto's BufferSource: as is over an ArrayBuffer, else (a SharedArrayBuffer) a copy. */
function toBufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : new Uint8Array(bytes);
}

/**
 * Ed25519 through WebCrypto (`crypto.subtle`), with the shared strict pre-checks in front of
 * `subtle.verify`. Deriving a public key synchronously is not possible in WebCrypto, so
 * `publicKey` uses the portable implementation.
 */
function webCryptoEd25519(subtle: SubtleCrypto): Ed25519 {
  const privateKeys = new BoundedCache<string, Promise<CryptoKey>>(KEY_CACHE_CAPACITY);
  const publicKeys = new BoundedCache<string, Promise<CryptoKey | null>>(KEY_CACHE_CAPACITY);

  function privateKey(seed: Uint8Array): Promise<CryptoKey> {
    const cacheKey = bytesToHex(seed);
    let key = privateKeys.get(cacheKey);
    if (key === undefined) {
      key = subtle.importKey('pkcs8', toBufferSource(seedToPkcs8(seed)), ED25519_ALGORITHM, false, ['sign']);
      privateKeys.set(cacheKey, key);
      key.catch(() => privateKeys.delete(cacheKey));
    }
    return key;
  }

  function publicKey(bytes: Uint8Array): Promise<CryptoKey | null> {
    const cacheKey = bytesToHex(bytes);
    let key = publicKeys.get(cacheKey);
    if (key === undefined) {
      key = subtle
        .importKey('raw', toBufferSource(bytes), ED25519_ALGORITHM, false, ['verify'])
        .catch(() => null);
      publicKeys.set(cacheKey, key);
    }
    return key;
  }

  // Keys verified often are verified with tables in this thread (~50 µs each, against WebCrypto's ~250).
  const tables = new TableVerifier();

  async function verify(publicKeyBytes: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    assertVerifyArguments(publicKeyBytes, message, signature);
    if (!passesStrictChecks(publicKeyBytes, signature)) return false;
    const key = await publicKey(publicKeyBytes);
    if (key === null) return false;
    try {
      return await subtle.verify(ED25519_ALGORITHM, key, toBufferSource(signature), toBufferSource(message));
    } catch {
      return false;
    }
  }

  return Object.freeze({
    name: 'native',
    publicKey(seed: Uint8Array): Uint8Array {
      return portableEd25519.publicKey(seed);
    },
    async sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
      assertSeed(seed);
      assertBytes(message, 'message');
      const key = await privateKey(seed);
      return new Uint8Array(await subtle.sign(ED25519_ALGORITHM, key, toBufferSource(message)));
    },
    verify,
    async verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]> {
      for (const check of checks) assertVerifyArguments(check.publicKey, check.message, check.signature);
      return tables.verifyMany(checks, (others) => Promise.all(others.map((check) => verify(check.publicKey, check.message, check.signature))));
    },
  } as const);
}

/**
 * The WebCrypto Ed25519 backend, or undefined when `subtle` lacks Ed25519 or its answers differ from
 * the strict rule on the probe vectors (for example an implementation that verifies with the
 * cofactored equation).
 * @param subtle - the SubtleCrypto to use (default `globalThis.crypto.subtle`)
 */
export async function createWebCryptoEd25519(
  subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle,
): Promise<Ed25519 | undefined> {
  if (subtle === undefined) return undefined;
  const candidate = webCryptoEd25519(subtle);
  try {
    const passes =
      equalBytes(await candidate.sign(PROBE_SEED, PROBE_MESSAGE), PROBE_SIGNATURE) &&
      (await candidate.verify(PROBE_PUBLIC_KEY, PROBE_MESSAGE, PROBE_SIGNATURE)) &&
      !(await candidate.verify(PROBE_PUBLIC_KEY, MIXED_ORDER_PROBE_MESSAGE, MIXED_ORDER_PROBE_SIGNATURE));
    return passes ? candidate : undefined;
  } catch {
    return undefined;
  }
}
