import { ENTRY_ERROR_CODES, EntryError } from './errors.js';

/** The largest value a u64 can hold. */
export const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** A LEB128 varint of a u64 takes at most this many bytes. */
const MAX_VARINT_BYTES = 10;
/** The largest integer a number holds exactly, as a bigint. */
const MAX_SAFE_BIGINT = BigInt(Number.MAX_SAFE_INTEGER);
/** Varints of up to this many bytes hold less than 2^49. */
const SMALL_VARINT_BYTES = 7;

/**
 * Writes postcard (the Rust serde format iroh-docs uses on the wire): LEB128 varints for unsigned integers,
 * raw bytes for fixed-size arrays, and a varint length before variable-length byte strings and sequences.
 */
export class PostcardWriter {
  #buffer: Uint8Array;
  #length = 0;

  constructor(initialCapacity = 256) {
    this.#buffer = new Uint8Array(initialCapacity);
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #reserve(extra: number): void {
    const needed = this.#length + extra;
    if (needed <= this.#buffer.length) return;
    const grown = new Uint8Array(Math.max(needed, this.#buffer.length * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  /** One raw byte. */
  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) throw new RangeError(`not a u8: ${value}`);
    this.#reserve(1);
    this.#buffer[this.#length++] = value;
    return this;
  }

  /** A bool as one byte, 0 or 1. */
  bool(value: boolean): this {
    return this.u8(value ? 1 : 0);
  }

  /** An unsigned integer (u16/u32/u64/usize) as a LEB128 varint. */
  varint(value: bigint | number): this {
    // Values up to 2^53 − 1 (lengths, counts, tags, timestamps) take a path without bigint arithmetic.
    if (isSafeUnsigned(value)) return this.#safeVarint(Number(value));
    let rest = BigInt(value);
    if (rest < 0n || rest > U64_MAX) throw new RangeError(`not a u64: ${value}`);
    this.#reserve(MAX_VARINT_BYTES);
    while (rest >= 0x80n) {
      this.#buffer[this.#length++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.#buffer[this.#length++] = Number(rest);
    return this;
  }

  /** A varint of `value`, a safe integer ≥ 0, without bigint arithmetic. */
  #safeVarint(value: number): this {
    this.#reserve(MAX_VARINT_BYTES);
    for (; value >= 0x80; value = Math.floor(value / 0x80)) this.#buffer[this.#length++] = (value % 0x80) | 0x80;
    this.#buffer[this.#length++] = value;
    return this;
  }

  /** A fixed-size array (`[u8; N]`): the bytes with no length. */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.length;
    return this;
  }

  /** A byte string (`Bytes`, `Vec<u8>`): varint length, then the bytes. */
  bytes(bytes: Uint8Array): this {
    return this.varint(bytes.length).raw(bytes);
  }

  /** A copy of everything written. */
  finish(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

/**
 * Reads postcard. Every read checks the remaining input, so a malformed or hostile input fails with an
 * {@link EntryError} (`DOCS_ENTRY_*`) and never makes the reader allocate more than the input holds.
 */
export class PostcardReader {
  readonly #bytes: Uint8Array;
  #offset = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.#bytes.length - this.#offset;
  }

  /** Current read position. */
  get offset(): number {
    return this.#offset;
  }

  #take(count: number, what: string): Uint8Array {
    if (count > this.remaining) {
      throw new EntryError(
        ENTRY_ERROR_CODES.TRUNCATED,
        `truncated input: ${what} needs ${count} bytes at offset ${this.#offset}, ${this.remaining} left`,
      );
    }
    const view = this.#bytes.subarray(this.#offset, this.#offset + count);
    this.#offset += count;
    return view;
  }

  /** One raw byte. */
  u8(what = 'u8'): number {
    if (this.#offset >= this.#bytes.length) this.#take(1, what);
    return this.#bytes[this.#offset++]!;
  }

  /** A bool; any byte other than 0 or 1 is refused. */
  bool(what = 'bool'): boolean {
    const byte = this.u8(what);
    if (byte > 1) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `invalid bool ${byte} for ${what}`);
    return byte === 1;
  }

  /** A u64 varint as a bigint. Refuses more than 10 bytes, values above 2^64 − 1 and non-minimal encodings. */
  varint(what = 'varint'): bigint {
    const small = this.#smallVarint(what);
    return small === undefined ? this.#bigVarint(what) : BigInt(small);
  }

  /** A varint that must be at most `max` (a u32 tag, a length, a count): returned as a number. */
  varintAtMost(max: number, what: string): number {
    const value = this.#smallVarint(what) ?? this.#bigVarint(what);
    if (value > max) {
      throw new EntryError(ENTRY_ERROR_CODES.INVALID_LENGTH, `${what} ${value} exceeds ${max}`);
    }
    return Number(value);
  }

  /**
   * A varint below 2^53 (exact as a number) read without bigint arithmetic: tags, lengths, counts, sizes and
   * timestamps — up to {@link SMALL_VARINT_BYTES} bytes, or one more whose value stays below 2^53. Undefined, with
   * nothing read, for a larger one.
   */
  #smallVarint(what: string): number | undefined {
    const bytes = this.#bytes;
    let offset = this.#offset;
    let value = 0;
    for (let index = 0, scale = 1; index < SMALL_VARINT_BYTES; index++, scale *= 0x80) {
      if (offset >= bytes.length) this.#take(offset - this.#offset + 1, what);
      const byte = bytes[offset++]!;
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) {
          throw new EntryError(ENTRY_ERROR_CODES.INVALID_VARINT, `non-minimal varint for ${what}`);
        }
        this.#offset = offset;
        return value;
      }
    }
    // An 8th byte below 0x10 ends a value below 2^53 (microsecond timestamps): still exact as a number.
    if (offset >= bytes.length) this.#take(offset - this.#offset + 1, what);
    const last = bytes[offset]!;
    if (last >= 0x10) return undefined;
    if (last === 0) throw new EntryError(ENTRY_ERROR_CODES.INVALID_VARINT, `non-minimal varint for ${what}`);
    this.#offset = offset + 1;
    return value + last * 2 ** (7 * SMALL_VARINT_BYTES);
  }

  /** A varint of any length, read with bigint arithmetic. */
  #bigVarint(what: string): bigint {
    let value = 0n;
    for (let index = 0; index < MAX_VARINT_BYTES; index++) {
      const byte = this.u8(what);
      value |= BigInt(byte & 0x7f) << BigInt(7 * index);
      if ((byte & 0x80) === 0) {
        if (byte === 0 && index > 0) {
          throw new EntryError(ENTRY_ERROR_CODES.INVALID_VARINT, `non-minimal varint for ${what}`);
        }
        if (value > U64_MAX) {
          throw new EntryError(ENTRY_ERROR_CODES.INVALID_VARINT, `varint above 2^64 - 1 for ${what}`);
        }
        return value;
      }
    }
    throw new EntryError(ENTRY_ERROR_CODES.INVALID_VARINT, `varint longer than ${MAX_VARINT_BYTES} bytes for ${what}`);
  }

  /**
   * A sequence length (`Vec<T>`): refused if the elements, at `minElementSize` bytes each, could not fit in the
   * remaining input, so a hostile count never drives an allocation.
   */
  count(minElementSize: number, what: string): number {
    const value = this.#smallVarint(what) ?? this.#bigVarint(what);
    const fits = Math.floor(this.remaining / Math.max(1, minElementSize));
    if (value > fits) {
      throw new EntryError(
        ENTRY_ERROR_CODES.TRUNCATED,
        `${what} ${value} runs past the end of the input (${this.remaining} bytes left)`,
      );
    }
    return Number(value);
  }

  /** A fixed-size array of `size` bytes (copied). */
  raw(size: number, what = 'bytes'): Uint8Array {
    return this.#take(size, what).slice();
  }

  /** A byte string: varint length, then the bytes (copied). */
  bytes(what = 'bytes'): Uint8Array {
    const length = this.count(1, `${what} length`);
    return this.raw(length, what);
  }

  /** Asserts that the input is fully consumed. */
  end(what = 'value'): void {
    if (this.remaining !== 0) {
      throw new EntryError(
        ENTRY_ERROR_CODES.TRAILING_BYTES,
        `${this.remaining} trailing bytes after ${what} at offset ${this.#offset}`,
      );
    }
  }
}

/** Number of bytes the LEB128 varint of `value` takes. */
export function varintSize(value: bigint | number): number {
  if (isSafeUnsigned(value)) {
    // Exact as a number: no bigint arithmetic.
    let size = 1;
    for (let rest = Number(value); rest >= 0x80; rest = Math.floor(rest / 0x80)) size++;
    return size;
  }
  let rest = BigInt(value);
  let size = 1;
  while (rest >= 0x80n) {
    rest >>= 7n;
    size++;
  }
  return size;
}

/** Whether `value` is an integer in [0, 2^53 − 1], which a number holds exactly. */
function isSafeUnsigned(value: bigint | number): boolean {
  return typeof value === 'number' ? Number.isSafeInteger(value) && value >= 0 : value >= 0n && value <= MAX_SAFE_BIGINT;
}
