import { CRYPTO_ERROR_CODES, DocsError } from './errors.js';

const HEX_DIGITS = '0123456789abcdef';
/** Byte → two lowercase hex characters. */
const BYTE_TO_HEX: readonly string[] = Array.from(
  { length: 256 },
  (_, byte) => HEX_DIGITS[byte >> 4]! + HEX_DIGITS[byte & 15]!,
);

/** RFC 4648 §6 alphabet, lowercase (the form iroh v0.12 prints). */
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** Char code → 5-bit value, or -1. Accepts both cases. */
const BASE32_VALUES: Int8Array = (() => {
  const table = new Int8Array(128).fill(-1);
  for (let value = 0; value < 32; value++) {
    const lower = BASE32_ALPHABET.charCodeAt(value);
    table[lower] = value;
    table[String.fromCharCode(lower).toUpperCase().charCodeAt(0)] = value;
  }
  return table;
})();

function assertBytes(value: unknown, name: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48; // 0-9
  if (code >= 97 && code <= 102) return code - 87; // a-f
  if (code >= 65 && code <= 70) return code - 55; // A-F
  return -1;
}

/**
 * Lowercase hex of `bytes`.
 */
export function bytesToHex(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let text = '';
  for (let index = 0; index < bytes.length; index++) text += BYTE_TO_HEX[bytes[index]!];
  return text;
}

/**
 * Parses hex (either case) into bytes.
 * @throws DocsError `DOCS_CRYPTO_INVALID_HEX` on an odd length or a non-hex character.
 */
export function hexToBytes(hex: string): Uint8Array {
  if (typeof hex !== 'string') throw new TypeError('hex must be a string');
  if (hex.length % 2 !== 0) {
    throw new DocsError(CRYPTO_ERROR_CODES.invalidHex, `hex string has odd length ${hex.length}`);
  }
  const bytes = new Uint8Array(hex.length / 2);
  for (let index = 0; index < bytes.length; index++) {
    const high = hexValue(hex.charCodeAt(2 * index));
    const low = hexValue(hex.charCodeAt(2 * index + 1));
    if (high < 0 || low < 0) {
      throw new DocsError(
        CRYPTO_ERROR_CODES.invalidHex,
        `invalid hex character at offset ${high < 0 ? 2 * index : 2 * index + 1}`,
      );
    }
    bytes[index] = (high << 4) | low;
  }
  return bytes;
}

/**
 * RFC 4648 base32 of `bytes`: lowercase, no padding (the text form of iroh v0.12 ids).
 */
export function bytesToBase32(bytes: Uint8Array): string {
  assertBytes(bytes, 'bytes');
  let text = '';
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < bytes.length; index++) {
    buffer = ((buffer << 8) | bytes[index]!) & 0xfff; // at most 4 + 8 live bits
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      text += BASE32_ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) text += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return text;
}

/**
 * Parses unpadded RFC 4648 base32 (either case). Decoding is canonical: the length must be one an
 * encoder produces and the unused trailing bits must be zero, so every byte string has exactly one
 * accepted text per case.
 * @throws DocsError `DOCS_CRYPTO_INVALID_BASE32` otherwise.
 */
export function base32ToBytes(text: string): Uint8Array {
  if (typeof text !== 'string') throw new TypeError('text must be a string');
  const remainder = text.length % 8;
  if (remainder === 1 || remainder === 3 || remainder === 6) {
    throw new DocsError(CRYPTO_ERROR_CODES.invalidBase32, `base32 text has impossible length ${text.length}`);
  }
  const bytes = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let written = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const value = code < 128 ? BASE32_VALUES[code]! : -1;
    if (value < 0) {
      throw new DocsError(CRYPTO_ERROR_CODES.invalidBase32, `invalid base32 character at offset ${index}`);
    }
    buffer = ((buffer << 5) | value) & 0xfff; // at most 7 + 5 live bits
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes[written++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new DocsError(CRYPTO_ERROR_CODES.invalidBase32, 'base32 text has non-zero trailing bits');
  }
  return bytes;
}

/**
 * Lexicographic order of two byte strings (a shorter prefix sorts first).
 * @returns -1, 0 or 1
 */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const difference = a[index]! - b[index]!;
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/**
 * Whether two byte strings are equal. Not constant-time: use it on public data only.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** Bytes turned into characters per `String.fromCharCode` call in {@link bytesToMapKey} (its arguments are bounded). */
const MAP_KEY_CHUNK = 4096;

/**
 * A string with one character per byte, equal exactly for equal byte strings: a key for a `Map` of byte strings.
 * Not text: do not display or encode it.
 */
export function bytesToMapKey(bytes: Uint8Array): string {
  // `apply` takes the typed array as the argument list; spreading it first is several times slower.
  if (bytes.length <= MAP_KEY_CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let start = 0; start < bytes.length; start += MAP_KEY_CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(start, start + MAP_KEY_CHUNK) as unknown as number[]);
  }
  return out;
}

/**
 * A new Uint8Array holding `parts` one after another.
 */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) {
    assertBytes(part, 'every part');
    length += part.length;
  }
  const result = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.length;
  }
  return result;
}
