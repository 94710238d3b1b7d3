import {
  createPrivateKey,
  createPublicKey,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { BoundedCache } from './bounded-cache.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { bytesToHex, equalBytes } from './bytes.js';
import { publicKeyToSpki, seedToPkcs8 } from './ed25519-der.js';
import { assertBytes, assertSeed, assertVerifyArguments } from './ed25519-arguments.js';
import {
  MIXED_ORDER_PROBE_MESSAGE,
  MIXED_ORDER_PROBE_SIGNATURE,
  PROBE_MESSAGE,
  PROBE_PUBLIC_KEY,
  PROBE_SEED,
  PROBE_SIGNATURE,
} from './ed25519-probe.js';
import { passesStrictChecks } from './ed25519-strict.js';
import type { Ed25519, SignatureCheck } from './ed25519.js';
import { SignatureWorkers } from './ed25519-workers.js';

/** How many imported keys of each kind stay cached. */
const KEY_CACHE_CAPACITY = 4096;

/** libuv's thread pool size (`UV_THREADPOOL_SIZE`, default 4). */
const THREAD_POOL_SIZE = Number.parseInt(process.env['UV_THREADPOOL_SIZE'] ?? '', 10) || 4;

/**
 * Verifications on the thread pool at once, over every `verifyMany` call: all threads but one, so that file system
 * and database work always finds a free thread (a sync verifies the next entries while it stores the previous ones;
 * a flooded pool would queue the store's reads behind thousands of verifications).
 */
const POOL_VERIFICATIONS = new ConcurrencyLimit(Math.max(1, THREAD_POOL_SIZE - 1));

/**
 * Batches of at least this many checks are verified on worker threads ({@link SignatureWorkers}); smaller ones on
 * the thread pool, where a check does not wait for a message to a worker and back.
 */
const WORKER_BATCH_MINIMUM = 32;

/** The verification workers of this process, started on first use. */
const WORKERS = new SignatureWorkers();

/** Copies a Node Buffer into a plain Uint8Array that owns its memory. */
function toPlainBytes(buffer: Uint8Array): Uint8Array {
  return new Uint8Array(buffer);
}

/**
 * The synchronous core of the node:crypto backend. Creating a private KeyObject costs a scalar
 * multiplication (about 0.5 ms), creating a public one about 0.1 ms: both are cached, the public
 * keys by their bytes, the private keys by their seed.
 */
class NodeEd25519Core {
  readonly #privateKeys = new BoundedCache<string, KeyObject>(KEY_CACHE_CAPACITY);
  readonly #publicKeys = new BoundedCache<string, KeyObject | null>(KEY_CACHE_CAPACITY);

  privateKey(seed: Uint8Array): KeyObject {
    const cacheKey = bytesToHex(seed);
    let key = this.#privateKeys.get(cacheKey);
    if (key === undefined) {
      key = createPrivateKey({ key: Buffer.from(seedToPkcs8(seed).buffer), format: 'der', type: 'pkcs8' });
      this.#privateKeys.set(cacheKey, key);
    }
    return key;
  }

  /** The public KeyObject, or null when OpenSSL refuses the bytes. */
  publicKey(publicKey: Uint8Array): KeyObject | null {
    const cacheKey = bytesToHex(publicKey);
    let key = this.#publicKeys.get(cacheKey);
    if (key === undefined) {
      try {
        key = createPublicKey({ key: Buffer.from(publicKeyToSpki(publicKey).buffer), format: 'der', type: 'spki' });
      } catch {
        key = null;
      }
      this.#publicKeys.set(cacheKey, key);
    }
    return key;
  }

  derivePublicKey(seed: Uint8Array): Uint8Array {
    const jwk = createPublicKey(this.privateKey(seed)).export({ format: 'jwk' });
    if (typeof jwk.x !== 'string') throw new TypeError('node:crypto exported an Ed25519 JWK without x');
    return toPlainBytes(Buffer.from(jwk.x, 'base64url'));
  }

  sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
    return toPlainBytes(nodeSign(null, message, this.privateKey(seed)));
  }

  /** The same answer as {@link verify}, computed on libuv's thread pool. */
  verifyInPool(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
    if (!passesStrictChecks(publicKey, signature)) return Promise.resolve(false);
    const key = this.publicKey(publicKey);
    if (key === null) return Promise.resolve(false);
    return new Promise((resolve) => {
      try {
        nodeVerify(null, message, key, signature, (error, valid) => resolve(error === null && valid));
      } catch {
        resolve(false);
      }
    });
  }

  verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (!passesStrictChecks(publicKey, signature)) return false;
    const key = this.publicKey(publicKey);
    if (key === null) return false;
    try {
      return nodeVerify(null, message, key, signature);
    } catch {
      return false;
    }
  }

  /** Whether this node:crypto reproduces the known answers of the strict rule. */
  passesProbe(): boolean {
    try {
      return (
        equalBytes(this.derivePublicKey(PROBE_SEED), PROBE_PUBLIC_KEY) &&
        equalBytes(this.sign(PROBE_SEED, PROBE_MESSAGE), PROBE_SIGNATURE) &&
        this.verify(PROBE_PUBLIC_KEY, PROBE_MESSAGE, PROBE_SIGNATURE) &&
        !this.verify(PROBE_PUBLIC_KEY, MIXED_ORDER_PROBE_MESSAGE, MIXED_ORDER_PROBE_SIGNATURE)
      );
    } catch {
      return false;
    }
  }
}

/**
 * The node:crypto Ed25519 backend (OpenSSL), or undefined when this Node has no usable Ed25519 or
 * its answers differ from the strict rule on the probe vectors. Signing and single verifications are
 * synchronous (their promises are already settled); `verifyMany` runs on `workers` (default: the
 * process's) for batches of {@link WORKER_BATCH_MINIMUM} or more, else on libuv's thread pool.
 */
export function createNodeEd25519(workers: SignatureWorkers = WORKERS): Ed25519 | undefined {
  const core = new NodeEd25519Core();
  if (!core.passesProbe()) return undefined;
  return Object.freeze({
    name: 'native',
    publicKey(seed: Uint8Array): Uint8Array {
      assertSeed(seed);
      return core.derivePublicKey(seed);
    },
    async sign(seed: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
      assertSeed(seed);
      assertBytes(message, 'message');
      return core.sign(seed, message);
    },
    async verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
      assertVerifyArguments(publicKey, message, signature);
      return core.verify(publicKey, message, signature);
    },
    async verifyMany(checks: readonly SignatureCheck[]): Promise<boolean[]> {
      for (const check of checks) assertVerifyArguments(check.publicKey, check.message, check.signature);
      if (checks.length >= WORKER_BATCH_MINIMUM && workers.available) {
        const verdicts = checks.map((check) => passesStrictChecks(check.publicKey, check.signature));
        const strict = checks.filter((_, index) => verdicts[index]);
        try {
          const answers = await workers.verify(strict);
          let next = 0;
          return verdicts.map((passes) => passes && answers[next++]!);
        } catch {
          // A worker failed (it is replaced next time), or the batch is too large for them: the thread pool answers.
        }
      }
      return Promise.all(
        checks.map((check) => POOL_VERIFICATIONS.run(() => core.verifyInPool(check.publicKey, check.message, check.signature))),
      );
    },
  } as const);
}
