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
// A message that cannot be read would leave its job unanswered: exiting makes the caller reject it.
parentPort.on('messageerror', () => process.exit(1));
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

/** A worker, the jobs it has not answered yet, and whether it answered any. */
interface VerifyingWorker {
  readonly worker: Worker;
  readonly jobs: Set<number>;
  answered: boolean;
}

/** The largest batch, in packed bytes, sent to the workers at once (larger ones are for the caller to verify). */
export const WORKER_BATCH_BYTES = 64 * 1024 * 1024;

/** Bytes of a packed check before its message: the message length (4), the public key (32) and the signature (64). */
const PACKED_HEADER = 100;

/** The bytes `checks` take packed (see WORKER_SOURCE). */
function packedSize(checks: readonly SignatureCheck[]): number {
  let size = 0;
  for (const check of checks) size += PACKED_HEADER + check.message.length;
  return size;
}

/**
 * Ed25519 verification on worker threads, one per core (at most 4), started on first use. A worker verifies
 * synchronously with node:crypto, which costs about a fifth less CPU per signature than its asynchronous verify on
 * libuv's thread pool, and leaves the main thread only the packing (a few microseconds per check, against tens for
 * dispatching to the pool): the main thread stays free to store what was verified, and the thread pool free for
 * I/O. Idle workers do not keep the process alive.
 *
 * It runs only the group equation: callers apply the strict pre-checks first (see `ed25519-strict.ts`). Where
 * workers cannot run (a runtime without them, a permission model that forbids them, a worker that fails before its
 * first answer), {@link available} turns false for good and callers verify elsewhere.
 */
export class SignatureWorkers {
  readonly size: number;
  readonly #workers: VerifyingWorker[] = [];
  #available = true;
  #batchesAnswered = 0;
  readonly #answers = new Map<number, { resolve: (verdicts: Uint8Array) => void; reject: (error: Error) => void }>();
  #nextJob = 0;
  #nextWorker = 0;

  /** @param size - workers (default: the available parallelism, at most 4) */
  constructor(size = Math.min(4, availableParallelism())) {
    this.size = Math.max(1, size);
  }

  /** Whether workers can be used (false once one could not start or failed before answering). */
  get available(): boolean {
    return this.#available;
  }

  /** Batches answered so far. */
  get batchesAnswered(): number {
    return this.#batchesAnswered;
  }

  /**
   * Whether each check's signature satisfies the group equation, in order, verified in one slice per worker.
   * Rejects if a worker fails (it is then replaced on the next call) or workers are not {@link available}, and for
   * a batch above {@link WORKER_BATCH_BYTES} packed.
   */
  async verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    if (!this.#available) throw new Error('Ed25519 verification workers are not available here');
    const bytes = packedSize(checks);
    if (bytes > WORKER_BATCH_BYTES) throw new RangeError(`a batch of ${bytes} bytes is above the workers' ${WORKER_BATCH_BYTES}`);
    const slices = Math.min(this.size, checks.length);
    const per = Math.ceil(checks.length / slices);
    const answers: Array<Promise<Uint8Array>> = [];
    for (let from = 0; from < checks.length; from += per) answers.push(this.#run(checks.slice(from, from + per)));
    const verdicts: boolean[] = [];
    for (const slice of await Promise.all(answers)) for (const verdict of slice) verdicts.push(verdict === 1);
    this.#batchesAnswered++;
    return verdicts;
  }

  /** Stops the workers (pending checks reject); the next call starts new ones. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  #run(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    const buffer = new ArrayBuffer(packedSize(checks));
    const bytes = new Uint8Array(buffer);
    const view = new DataView(buffer);
    let offset = 0;
    for (const { publicKey, signature, message } of checks) {
      view.setUint32(offset, message.length);
      bytes.set(publicKey, offset + 4);
      bytes.set(signature, offset + 36);
      bytes.set(message, offset + PACKED_HEADER);
      offset += PACKED_HEADER + message.length;
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
      let worker: Worker;
      try {
        // No inherited flags: the source is plain CommonJS, whatever loaders or input type this process runs with.
        worker = new Worker(WORKER_SOURCE, { eval: true, execArgv: [] });
      } catch (error) {
        this.#available = false;
        throw error;
      }
      worker.unref();
      const entry: VerifyingWorker = { worker, jobs: new Set(), answered: false };
      worker.on('message', ({ job, verdicts }: { job: number; verdicts: Uint8Array }) => {
        entry.answered = true;
        entry.jobs.delete(job);
        if (entry.jobs.size === 0) worker.unref();
        const answer = this.#answers.get(job);
        this.#answers.delete(job);
        answer?.resolve(verdicts);
      });
      const fail = (error: Error): void => {
        const index = this.#workers.indexOf(entry);
        // One that never answered would fail again: no more workers. (A stopped one, see close, is not in the list.)
        if (index >= 0 && !entry.answered) this.#available = false;
        if (index >= 0) this.#workers.splice(index, 1);
        for (const job of entry.jobs) {
          this.#answers.get(job)?.reject(error);
          this.#answers.delete(job);
        }
        entry.jobs.clear();
      };
      worker.on('error', fail);
      worker.on('messageerror', fail);
      worker.on('exit', (code) => fail(new Error(`an Ed25519 verification worker exited with code ${code}`)));
      this.#workers.push(entry);
      return entry;
    }
    return this.#workers[this.#nextWorker++ % this.#workers.length]!;
  }
}
