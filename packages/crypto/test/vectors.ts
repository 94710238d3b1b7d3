import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared vectors live beside the repository: <root>/../shared/vectors (see the task notes). */
const VECTORS_DIRECTORY = new URL('../../../../shared/vectors/', import.meta.url);

/** Reads one vector file; throws (failing the suite loudly) when the shared vectors are missing. */
export function readVectors<T>(name: string): T {
  const url = new URL(name, VECTORS_DIRECTORY);
  const path = fileURLToPath(url);
  if (!existsSync(path)) {
    throw new Error(`test vectors missing: ${path} (expected the shared/ folder beside the repository)`);
  }
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Parses hex without the code under test. */
export function hex(text: string): Uint8Array {
  if (text.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(text)) throw new Error(`bad hex in vectors: ${text}`);
  return Uint8Array.from(text.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** Lowercase hex without the code under test. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

export interface Blake3Vectors {
  key: string;
  context_string: string;
  cases: { input_len: number; hash: string; keyed_hash: string; derive_key: string }[];
}

export interface Rfc8032Vector {
  priv: string;
  pub: string;
  msg: string;
  sig: string;
}

export interface WycheproofVectors {
  numberOfTests: number;
  testGroups: {
    publicKey: { pk: string };
    tests: { tcId: number; comment: string; flags: string[]; msg: string; sig: string; result: 'valid' | 'invalid' }[];
  }[];
}

export interface Zip215Vector {
  vk_bytes: string;
  sig_bytes: string;
  valid_legacy: boolean;
  valid_zip215: boolean;
}

/** A verification case: public key, message, signature and the verdict of the strict rule. */
export interface VerifyCase {
  name: string;
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
  expected: boolean;
}
