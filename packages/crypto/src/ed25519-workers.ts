import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SPKI_PUBLIC_KEY_PREFIX } from './ed25519-der.js';
import { KeyTables } from './ed25519-key-tables.js';
import { checkKeyTables, DEFAULT_KEY_TABLES, MAX_KEY_TABLES, mergeVerdicts, planTables, tableVerifierBytes } from './ed25519-table-verifier.js';
import type { SignatureCheck } from './ed25519.js';

/**
 * What each worker runs (CommonJS, evaluated, so that it needs no file of its own in any build). A job holds two
 * batches:
 * - checks for node:crypto's synchronous verify, packed as `(u32 BE message length ‖ public key (32) ‖
 *   signature (64) ‖ message)*`; public keys are imported once and kept (at most 4,096);
 * - records for the table verifier (`assembly/ed25519-verify.ts`, given as a compiled module), with the tables to
 *   build first and the size of each of its calls (see `planTables` in `ed25519-table-verifier.ts`).
 * It answers one byte per check of each (1: valid).
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
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
function verifyPacked(buffer, count) {
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
  return verdicts;
}
const tables = workerData.keyTables > 0 ? new WebAssembly.Instance(workerData.tablesModule, {}).exports : null;
const recordsOffset = tables === null ? 0 : tables.init(workerData.keyTables);
const verdictsOffset = tables === null ? 0 : tables.verdictsOffset();
function verifyWithTables(build, records, chunks) {
  for (const [table, publicKey] of build) {
    new Uint8Array(tables.memory.buffer).set(publicKey, recordsOffset);
    tables.setKey(table);
  }
  let total = 0;
  for (let index = 0; index < chunks.length; index += 2) total += chunks[index];
  const verdicts = new Uint8Array(total);
  let offset = 0;
  let done = 0;
  for (let index = 0; index < chunks.length; index += 2) {
    const count = chunks[index];
    const size = chunks[index + 1];
    new Uint8Array(tables.memory.buffer).set(new Uint8Array(records, offset, size), recordsOffset);
    tables.verifyBatch(count);
    verdicts.set(new Uint8Array(tables.memory.buffer, verdictsOffset, count), done);
    offset += size;
    done += count;
  }
  return verdicts;
}
// A message that cannot be read would leave its job unanswered: exiting makes the caller reject it.
parentPort.on('messageerror', () => process.exit(1));
parentPort.on('message', ({ job, buffer, count, build, records, chunks }) => {
  const verdicts = verifyPacked(buffer, count);
  const tableVerdicts = verifyWithTables(build, records, chunks);
  parentPort.postMessage({ job, verdicts, tableVerdicts }, [verdicts.buffer, tableVerdicts.buffer]);
});
`;

/** The compiled table verifier, shared by the workers. */
let tablesModule: WebAssembly.Module | undefined;

/** What a worker answers for a job: the verdicts of its node:crypto checks and of its table records. */
interface Answer {
  readonly verdicts: Uint8Array;
  readonly tableVerdicts: Uint8Array;
}

/** A worker, the jobs it has not answered yet, whether it answered any, and which keys have tables in it. */
interface VerifyingWorker {
  readonly worker: Worker;
  readonly jobs: Set<number>;
  /** Undefined when workers keep no key tables. */
  readonly tables: KeyTables | undefined;
  answered: boolean;
}

/** The largest batch, in packed bytes, sent to the workers at once (larger ones are for the caller to verify). */
export const WORKER_BATCH_BYTES = 64 * 1024 * 1024;

/** Bytes of a packed check before its message: the message length (4), the public key (32) and the signature (64). */
const PACKED_HEADER = 100;

/** The bytes `checks` take packed for node:crypto (see WORKER_SOURCE). */
function packedSize(checks: readonly SignatureCheck[]): number {
  let size = 0;
  for (const check of checks) size += PACKED_HEADER + check.message.length;
  return size;
}

/** Packs checks for node:crypto's verify in a worker (see WORKER_SOURCE). */
function packChecks(checks: readonly SignatureCheck[]): ArrayBuffer {
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
  return buffer;
}

/**
 * Ed25519 verification on worker threads, one per core (at most 4), started on first use. The main thread only packs
 * the checks (a few microseconds each, against tens for dispatching to libuv's thread pool): it stays free to store
 * what was verified, and the thread pool free for I/O. Idle workers do not keep the process alive.
 *
 * A worker verifies the signatures of a key it has verified often with a precomputed table of the key's multiples
 * (WebAssembly, `assembly/ed25519-verify.ts`): about a quarter of node:crypto's CPU per signature. Each worker keeps
 * tables for up to `keyTables` keys (~480 KB each, plus ~1 MB for the base point's and the buffers; see
 * {@link KeyTables} for which keys). Other signatures it verifies synchronously with node:crypto, which costs about
 * a fifth less CPU than node:crypto's asynchronous verify on the thread pool.
 *
 * It runs only the group equation: callers apply the strict pre-checks first (see `ed25519-strict.ts`). Where
 * workers cannot run (a runtime without them, a permission model that forbids them, a worker that fails before its
 * first answer), {@link available} turns false for good and callers verify elsewhere.
 */
export class SignatureWorkers {
  readonly size: number;
  readonly keyTables: number;
  readonly #workers: VerifyingWorker[] = [];
  #available = true;
  #batchesAnswered = 0;
  #tableVerifications = 0;
  readonly #answers = new Map<number, { resolve: (answer: Answer) => void; reject: (error: Error) => void }>();
  #nextJob = 0;
  #nextWorker = 0;

  /**
   * @param size - workers (default: the available parallelism, at most 4)
   * @param keyTables - key tables per worker, 0 to {@link MAX_KEY_TABLES} (default {@link DEFAULT_KEY_TABLES}; 0: verify
   *   everything with node:crypto)
   */
  constructor(size = Math.min(4, availableParallelism()), keyTables = DEFAULT_KEY_TABLES) {
    checkKeyTables(keyTables, 0);
    this.size = Math.max(1, size);
    this.keyTables = keyTables;
  }

  /** Whether workers can be used (false once one could not start or failed before answering). */
  get available(): boolean {
    return this.#available;
  }

  /** Batches answered so far. */
  get batchesAnswered(): number {
    return this.#batchesAnswered;
  }

  /** Signatures verified with a key's table so far (the others: with node:crypto). */
  get tableVerifications(): number {
    return this.#tableVerifications;
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
    const answers: Array<Promise<boolean[]>> = [];
    for (let from = 0; from < checks.length; from += per) answers.push(this.#run(checks.slice(from, from + per)));
    const verdicts = (await Promise.all(answers)).flat();
    this.#batchesAnswered++;
    return verdicts;
  }

  /** Stops the workers (pending checks reject); the next call starts new ones. */
  async close(): Promise<void> {
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map(({ worker }) => worker.terminate()));
  }

  /** Verifies one slice on the next worker: with a table where its key has one or gets one now. */
  async #run(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const target = this.#worker();
    const plan = planTables(target.tables, checks);
    const { build, records, chunks, plain } = plan;
    const buffer = packChecks(plain);
    const job = this.#nextJob++;
    const answer = await new Promise<Answer>((resolve, reject) => {
      this.#answers.set(job, { resolve, reject });
      if (target.jobs.size === 0) target.worker.ref();
      target.jobs.add(job);
      target.worker.postMessage({ job, buffer, count: plain.length, build, records, chunks }, [buffer, records]);
    });
    this.#tableVerifications += checks.length - plain.length;
    return mergeVerdicts(plan, answer.tableVerdicts, answer.verdicts);
  }

  /** The next worker in turn, started if there are fewer than {@link size}. */
  #worker(): VerifyingWorker {
    if (this.#workers.length < this.size) {
      let worker: Worker;
      try {
        if (this.keyTables > 0) tablesModule ??= new WebAssembly.Module(tableVerifierBytes());
        // No inherited flags: the source is plain CommonJS, whatever loaders or input type this process runs with.
        worker = new Worker(WORKER_SOURCE, {
          eval: true,
          execArgv: [],
          workerData: { tablesModule, keyTables: this.keyTables },
        });
      } catch (error) {
        this.#available = false;
        throw error;
      }
      worker.unref();
      const tables = this.keyTables > 0 ? new KeyTables(this.keyTables) : undefined;
      const entry: VerifyingWorker = { worker, jobs: new Set(), tables, answered: false };
      worker.on('message', ({ job, verdicts, tableVerdicts }: { job: number } & Answer) => {
        entry.answered = true;
        entry.jobs.delete(job);
        if (entry.jobs.size === 0) worker.unref();
        const answer = this.#answers.get(job);
        this.#answers.delete(job);
        answer?.resolve({ verdicts, tableVerdicts });
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
