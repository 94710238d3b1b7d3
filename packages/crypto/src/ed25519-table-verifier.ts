import { bytesToMapKey } from './bytes.js';
import { KeyTables } from './ed25519-key-tables.js';
import { passesStrictChecks } from './ed25519-strict.js';
import { ED25519_VERIFY_WASM } from './ed25519-verify-wasm.js';
import type { SignatureCheck } from './ed25519.js';

/** Bytes of a table record before its message: table (u32 LE), message length (u32 LE), A (32), R (32), S (32). */
const TABLE_RECORD_HEADER = 104;
/** Records per call of the table verifier, and the bytes they may take (its records area). */
const TABLE_CALL_RECORDS = 256;
const TABLE_CALL_BYTES = 256 * 1024;
/** Messages longer than this are verified without a table (a record must fit one call). */
export const TABLE_MESSAGE_LIMIT = 64 * 1024;
/** Key tables per verifier by default (~480 KB each), and at most. */
export const DEFAULT_KEY_TABLES = 8;
export const MAX_KEY_TABLES = 64;

/** Throws a RangeError unless `keyTables` is an integer from `minimum` to {@link MAX_KEY_TABLES}. */
export function checkKeyTables(keyTables: number, minimum: number): number {
  if (!Number.isSafeInteger(keyTables) || keyTables < minimum || keyTables > MAX_KEY_TABLES) {
    throw new RangeError(`keyTables must be an integer from ${minimum} to ${MAX_KEY_TABLES}, got ${keyTables}`);
  }
  return keyTables;
}

/** The bytes of the table verifier's WebAssembly module (`assembly/ed25519-verify.ts`). */
export function tableVerifierBytes(): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(ED25519_VERIFY_WASM), (character) => character.charCodeAt(0));
}

/** The exports of the table verifier module. */
export interface TableVerifierExports {
  readonly memory: WebAssembly.Memory;
  init(keyTables: number): number;
  verdictsOffset(): number;
  setKey(table: number): number;
  verifyBatch(count: number): void;
}

/**
 * One job for a table verifier: the tables to build first, the checks verified with tables packed as records (see
 * {@link packTableRecords}), the others, and for each check in order whether it went to a table.
 */
export interface TablePlan {
  readonly build: Array<[table: number, publicKey: Uint8Array]>;
  readonly records: ArrayBuffer;
  /** (records, bytes) of each call of `verifyBatch`. */
  readonly chunks: Uint32Array;
  readonly plain: SignatureCheck[];
  readonly withTable: boolean[];
}

/**
 * Splits checks between a verifier's tables (`tables` chooses them; undefined: none) and the other path. The
 * caller has applied the strict pre-checks to the checks sent to tables (see `ed25519-strict.ts`). Only messages up
 * to {@link TABLE_MESSAGE_LIMIT} bytes count towards a table and use one.
 */
export function planTables(tables: KeyTables | undefined, checks: readonly SignatureCheck[]): TablePlan {
  const names = checks.map(({ publicKey }) => bytesToMapKey(publicKey));
  const verifications = new Map<string, number>();
  const keys = new Map<string, Uint8Array>();
  checks.forEach(({ publicKey, message }, index) => {
    if (message.length > TABLE_MESSAGE_LIMIT) return;
    const name = names[index]!;
    verifications.set(name, (verifications.get(name) ?? 0) + 1);
    if (!keys.has(name)) keys.set(name, publicKey.slice());
  });
  const build: Array<[number, Uint8Array]> = [];
  const tableOf = tables?.assign(verifications, (name, table) => build.push([table, keys.get(name)!]));
  const withTables: SignatureCheck[] = [];
  const tableOfCheck: number[] = [];
  const plain: SignatureCheck[] = [];
  const withTable = checks.map((check, index) => {
    const table = check.message.length > TABLE_MESSAGE_LIMIT ? 0 : (tableOf?.get(names[index]!) ?? 0);
    if (table === 0) {
      plain.push(check);
      return false;
    }
    withTables.push(check);
    tableOfCheck.push(table);
    return true;
  });
  return { build, ...packTableRecords(withTables, tableOfCheck), plain, withTable };
}

/** The verdicts of all checks of a plan, in order, from those of its table records and of its plain checks. */
export function mergeVerdicts(plan: TablePlan, tableVerdicts: ArrayLike<number>, plainVerdicts: ArrayLike<number>): boolean[] {
  let nextTable = 0;
  let nextPlain = 0;
  return plan.withTable.map((withTable) => (withTable ? tableVerdicts[nextTable++] : plainVerdicts[nextPlain++]) === 1);
}

/**
 * Packs checks for the table verifier: `(u32 LE table ‖ u32 LE message length ‖ A ‖ R ‖ S ‖ message)*`, cut into
 * calls of at most {@link TABLE_CALL_RECORDS} records and {@link TABLE_CALL_BYTES} bytes. The verifier answers false
 * for a record whose A is not its table's key.
 */
function packTableRecords(checks: readonly SignatureCheck[], tables: readonly number[]): { records: ArrayBuffer; chunks: Uint32Array } {
  let size = 0;
  for (const check of checks) size += TABLE_RECORD_HEADER + check.message.length;
  const records = new ArrayBuffer(size);
  const bytes = new Uint8Array(records);
  const view = new DataView(records);
  const chunks: number[] = [];
  let offset = 0;
  let callRecords = 0;
  let callBytes = 0;
  checks.forEach(({ publicKey, signature, message }, index) => {
    const recordSize = TABLE_RECORD_HEADER + message.length;
    if (callRecords === TABLE_CALL_RECORDS || callBytes + recordSize > TABLE_CALL_BYTES) {
      chunks.push(callRecords, callBytes);
      callRecords = 0;
      callBytes = 0;
    }
    view.setUint32(offset, tables[index]!, true);
    view.setUint32(offset + 4, message.length, true);
    bytes.set(publicKey, offset + 8);
    bytes.set(signature, offset + 40);
    bytes.set(message, offset + TABLE_RECORD_HEADER);
    offset += recordSize;
    callRecords++;
    callBytes += recordSize;
  });
  if (callRecords > 0) chunks.push(callRecords, callBytes);
  return { records, chunks: Uint32Array.from(chunks) };
}

/**
 * Runs a plan's table part on an instance of the module: builds its tables, then verifies its records call by
 * call. (Worker threads run the same steps in their own source, see `ed25519-workers.ts`.)
 */
function runPlan(exports: TableVerifierExports, recordsOffset: number, plan: TablePlan): Uint8Array {
  for (const [table, publicKey] of plan.build) {
    new Uint8Array(exports.memory.buffer).set(publicKey, recordsOffset);
    exports.setKey(table);
  }
  const { chunks } = plan;
  let total = 0;
  for (let index = 0; index < chunks.length; index += 2) total += chunks[index]!;
  const verdicts = new Uint8Array(total);
  const verdictsOffset = exports.verdictsOffset();
  let offset = 0;
  let done = 0;
  for (let index = 0; index < chunks.length; index += 2) {
    const count = chunks[index]!;
    const size = chunks[index + 1]!;
    new Uint8Array(exports.memory.buffer).set(new Uint8Array(plan.records, offset, size), recordsOffset);
    exports.verifyBatch(count);
    verdicts.set(new Uint8Array(exports.memory.buffer, verdictsOffset, count), done);
    offset += size;
    done += count;
  }
  return verdicts;
}

/**
 * The table verifier in this thread, for the backends without worker threads (WebCrypto and the portable path):
 * `verifyMany` sends the checks under keys verified often to their tables and the others to `otherwise`. Its
 * WebAssembly is compiled (asynchronously, as browsers require) and its ~5 MB allocated when a key first gets a
 * table. A signature with a table costs ~50 µs of this thread, all tables of a call in one go: 2,000 of them keep it
 * busy for ~0.1 s. Where the module cannot be compiled or fails, every check goes `otherwise` from then on.
 */
export class TableVerifier {
  readonly #tables: KeyTables;
  #instance: Promise<{ exports: TableVerifierExports; records: number } | undefined> | undefined;
  #disabled = false;
  #tableVerifications = 0;

  /** @param keyTables - tables kept, 1 to {@link MAX_KEY_TABLES} (default {@link DEFAULT_KEY_TABLES}) */
  constructor(keyTables = DEFAULT_KEY_TABLES) {
    this.#tables = new KeyTables(checkKeyTables(keyTables, 1));
  }

  /** Signatures verified with a table so far. */
  get tableVerifications(): number {
    return this.#tableVerifications;
  }

  /**
   * Verdicts of the strict rule for every check, in order: with a table where the key has one or gets one now,
   * through `otherwise` for the rest (and for everything if WebAssembly cannot run here). The caller has checked the
   * arguments' types and lengths.
   */
  async verifyMany(checks: readonly SignatureCheck[], otherwise: (checks: readonly SignatureCheck[]) => Promise<boolean[]>): Promise<boolean[]> {
    if (this.#disabled) return otherwise(checks);
    const passes = checks.map((check) => passesStrictChecks(check.publicKey, check.signature));
    const strict = checks.filter((_, index) => passes[index]);
    const plan = planTables(this.#tables, strict);
    if (plan.plain.length === strict.length) return otherwise(checks);
    // Plans run in the order they were made: each call plans, awaits the same instance, then runs its plan with no
    // await in between, so a table that a later plan rebuilds for another key is built after this plan used it.
    const instance = await (this.#instance ??= this.#instantiate());
    let tableVerdicts: Uint8Array;
    try {
      if (instance === undefined) throw new Error('no WebAssembly');
      tableVerdicts = runPlan(instance.exports, instance.records, plan);
    } catch {
      // The tables chosen may not have been built: none are used any more.
      this.#disabled = true;
      return otherwise(checks);
    }
    this.#tableVerifications += tableVerdicts.length;
    const plainVerdicts = plan.plain.length === 0 ? [] : (await otherwise(plan.plain)).map(Number);
    const strictVerdicts = mergeVerdicts(plan, tableVerdicts, plainVerdicts);
    let next = 0;
    return passes.map((passed) => passed && strictVerdicts[next++]!);
  }

  async #instantiate(): Promise<{ exports: TableVerifierExports; records: number } | undefined> {
    try {
      const module = await WebAssembly.compile(tableVerifierBytes());
      const instance = await WebAssembly.instantiate(module, {});
      const exports = instance.exports as unknown as TableVerifierExports;
      return { exports, records: exports.init(this.#tables.capacity) };
    } catch {
      return undefined; // no WebAssembly here (a content security policy, say)
    }
  }
}
