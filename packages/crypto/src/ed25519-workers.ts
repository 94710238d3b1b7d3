import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SPKI_PUBLIC_KEY_PREFIX } from './ed25519-der.js';
import type { SignatureCheck } from './ed25519.js';

/**
 * What each worker runs (CommonJS, evaluated, so that it needs no file of its own in any build): node:crypto's
 * synchronous verify over a batch packed as `(u32 BE message length ‖ public key (32) ‖ signature (64) ‖ message)*`,
 * answering one byte per check (1: valid). Public keys are imported once and kept (at most 4,096).
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI_PREFIX = Buffer.from([${Array.from(SPKI_PUBLIC_KEY_PREFIX).join(', ')}]);
const keys = new Map();
function keyOf(publicKey) {
  const name = publicKey.toString('latin1');
  let key = keys.get(name);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    } catch {
      key = null;
    }
    if (keys.size >= 4096) keys.clear();
    keys.set(name, key);
  }
  return key;
}
parentPort.on('message', ({ job, buffer, count }) => {
  const bytes = Buffer.from(buffer);
  const verdicts = new Uint8Array(count);
  let offset = 0;
  for (let index = 0; index < count; index++) {
    const length = bytes.readUInt32BE(offset);
    const publicKey = bytes.subarray(offset + 4, offset + 36);
    const signature = bytes.subarray(offset + 36, offset + 100);
    const message = bytes.subarray(offset + 100, offset + 100 + length);
    offset += 100 + length;
    const key = keyOf(publicKey);
    try {
      verdicts[index] = key !== null && verify(null, message, key, signature) ? 1 : 0;
    } catch {
      verdicts[index] = 0;
    }
  }
  parentPort.postMessage({ job, verdicts }, [verdicts.buffer]);
});
`;

/** A worker and the jobs it has not answered yet. */
interface VerifyingWorker {
  readonly worker: Worker;
  readonly jobs: Set<number>;
}

/**
 * Ed25519 verification on worker threads, one per core (at most 4), started on first use. A worker verifies
 * synchronously with node:crypto, which costs about a fifth less CPU per signature than its asynchronous verify on
 * libuv's thread pool, and leaves the main thread only the packing (a few microseconds per check, against tens for
 * dispatching to the pool): the main thread stays free to store what was verified, and the thread pool free for
 * I/O. Idle workers do not keep the process alive.
 *
 * It runs only the group equation: callers apply the strict pre-checks first (see `ed25519-strict.ts`).
 */
export class SignatureWorkers {
  readonly size: number;
  readonly #workers: VerifyingWorker[] = [];
  readonly #answers = new Map<number, { resolve: (verdicts: Uint8Array) => void; reject: (error: Error) => void }>();
  #nextJob = 0;
  #nextWorker = 0;

  /** @param size - workers (default: the available parallelism, at most 4) */
  constructor(size = Math.min(4, availableParallelism())) {
    this.size = Math.max(1, size);
  }

  /**
   * Whether each check's signature satisfies the group equation, in order, verified in one slice per worker.
   * Rejects if a worker fails (it is then replaced on the next call).
   */
  async verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const slices = Math.min(this.size, checks.length);
    const per = Math.ceil(checks.length / slices);
    const answers: Array<Promise<Uint8Array>> = [];
    for (let from = 0; from < checks.length; from += per) answers.push(this.#run(checks.slice(from, from + per)));
    const verdicts: boolean[] = [];
    for (const slice of await Promise.all(answers)) for (const verdict of slice) verdicts.push(verdict === 1);
    return verdicts;
  }

  /** Stops the workers (pending checks reject); the next call starts new ones. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  #run(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    let size = 0;
    for (const check of checks) size += 100 + check.message.length;
    const buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    const view = new DataView(buffer);
    let offset = 0;
    for (const { publicKey, signature, message } of checks) {
      view.setUint32(offset, message.length);
      bytes.set(publicKey, offset + 4);
      bytes.set(signature, offset + 36);
      bytes.set(message, offset + 100);
      offset += 100 + message.length;
    }
    const job = this.#nextJob++;
    const target = this.#worker();
    return new Promise<Uint8Array>((resolve, reject) => {
      this.#answers.set(job, { resolve, reject });
      if (target.jobs.size === 0) target.worker.ref();
      target.jobs.add(job);
      target.worker.postMessage({ job, buffer, count: checks.length }, [buffer]);
    });
  }

  /** The next worker in turn, started if there are fewer than {@link size}. */
  #worker(): VerifyingWorker {
    if (this.#workers.length < this.size) {
      const worker = new Worker(WORKER_SOURCE, { eval: true });
      worker.unref();
      const entry: VerifyingWorker = { worker, jobs: new Set() };
      worker.on('message', ({ job, verdicts }: { job: number; verdicts: Uint8Array }) => {
        entry.jobs.delete(job);
        if (entry.jobs.size === 0) worker.unref();
        const answer = this.#answers.get(job);
        this.#answers.delete(job);
        answer?.resolve(verdicts);
      });
      const fail = (error: Error): void => {
        const index = this.#workers.indexOf(entry);
        if (index >= 0) this.#workers.splice(index, 1);
        for (const job of entry.jobs) {
          this.#answers.get(job)?.reject(error);
          this.#answers.delete(job);
        }
        entry.jobs.clear();
      };
      worker.on('error', fail);
      worker.on('exit', (code) => fail(new Error(`an Ed25519 verification worker exited with code ${code}`)));
      this.#workers.push(entry);
      return entry;
    }
    return this.#workers[this.#nextWorker++ % this.#workers.length]!;
  }
}
