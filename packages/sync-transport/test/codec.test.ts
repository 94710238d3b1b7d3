import { Author, NamespaceSecret, bytesToHex, hexToBytes, isDocsError } from '@docs/crypto';
import {
  EMPTY_FINGERPRINT,
  EMPTY_HASH,
  RecordIdentifier,
  createRecord,
  encodeSignedEntry,
  entryFingerprint,
  signEntry,
  xorFingerprintInto,
  type SignedEntry,
} from '@docs/entry';
import {
  SYNC_ERROR_CODES,
  decodeProtocolMessage,
  encodeFrame,
  encodeProtocolMessage,
  type ProtocolMessage,
} from '@docs/sync-transport';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';

// The derived byte examples of the reference notes, §4.2 (namespace and entry from the §6.1 golden vector).
const namespace = NamespaceSecret.fromBytes(new Uint8Array(32).fill(0xb2));
const author = Author.fromBytes(new Uint8Array(32).fill(0xa1));
const rid = RecordIdentifier.of(namespace.id, author.id, new TextEncoder().encode('wire-format-test'));
let golden: SignedEntry;

beforeAll(async () => {
  golden = await signEntry({ id: rid, record: createRecord(EMPTY_HASH, 0, 1_700_000_000_000_000n) }, namespace, author);
});

const frameHex = (message: ProtocolMessage) => bytesToHex(encodeFrame(encodeProtocolMessage(message)));
const ridHex = bytesToHex(rid.bytes);

describe('protocol messages reproduce the reference bytes', () => {
  test('Init of an empty replica: a 197-byte payload', () => {
    const zero = RecordIdentifier.zero().bytes;
    const hex = frameHex({
      type: 'init',
      namespace: namespace.id,
      message: { parts: [{ kind: 'fingerprint', range: { x: zero, y: zero }, fingerprint: EMPTY_FINGERPRINT }] },
    });
    expect(hex).toBe(
      '000000c5' + '00' + bytesToHex(namespace.id) + '01' + '00' + '40' + '00'.repeat(64) + '40' + '00'.repeat(64) +
        'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
    expect(hex.length / 2).toBe(4 + 197);
  });

  test('Init of a replica holding the golden entry: a 229-byte payload', () => {
    const fingerprint = xorFingerprintInto(EMPTY_FINGERPRINT.slice(), entryFingerprint(golden.entry));
    const hex = frameHex({
      type: 'init',
      namespace: namespace.id,
      message: { parts: [{ kind: 'fingerprint', range: { x: rid.bytes, y: rid.bytes }, fingerprint }] },
    });
    expect(hex).toBe('000000e5' + '00' + bytesToHex(namespace.id) + '01' + '00' + '50' + ridHex + '50' + ridHex + bytesToHex(fingerprint));
  });

  test('Sync with an empty RangeItem: a 167-byte payload', () => {
    const hex = frameHex({
      type: 'sync',
      message: { parts: [{ kind: 'items', range: { x: rid.bytes, y: rid.bytes }, values: [], haveLocal: false }] },
    });
    expect(hex).toBe('000000a7' + '01' + '01' + '01' + '50' + ridHex + '50' + ridHex + '00' + '00');
  });

  test('Sync with the golden entry, Complete, have_local: a 418-byte payload', () => {
    const hex = frameHex({
      type: 'sync',
      message: { parts: [{ kind: 'items', range: { x: rid.bytes, y: rid.bytes }, values: [[golden, 'complete']], haveLocal: true }] },
    });
    expect(hex).toBe(
      '000001a2' + '01' + '01' + '01' + '50' + ridHex + '50' + ridHex + '01' + bytesToHex(encodeSignedEntry(golden)) + '00' + '01',
    );
  });

  test.each([
    ['not-found', '0200'],
    ['already-syncing', '0201'],
    ['internal-server-error', '0202'],
  ] as const)('Abort %s is %s', (reason, hex) => {
    const bytes = encodeProtocolMessage({ type: 'abort', reason });
    expect(bytesToHex(bytes)).toBe(hex);
    expect(decodeProtocolMessage(bytes)).toEqual({ type: 'abort', reason });
  });
});

describe('decoding', () => {
  test('round-trips every message kind', () => {
    const messages: ProtocolMessage[] = [
      { type: 'init', namespace: namespace.id, message: { parts: [] } },
      {
        type: 'sync',
        message: {
          parts: [
            { kind: 'fingerprint', range: { x: rid.bytes, y: new Uint8Array(0) }, fingerprint: EMPTY_FINGERPRINT },
            { kind: 'items', range: { x: rid.bytes, y: rid.bytes }, values: [[golden, 'missing'], [golden, 'incomplete']], haveLocal: false },
          ],
        },
      },
    ];
    for (const message of messages) {
      const bytes = encodeProtocolMessage(message);
      expect(encodeProtocolMessage(decodeProtocolMessage(bytes))).toEqual(bytes);
    }
  });

  test('limits on parts and entries are enforced from the counts', () => {
    const part = { kind: 'items' as const, range: { x: rid.bytes, y: rid.bytes }, values: [[golden, 'complete'] as const], haveLocal: true };
    const bytes = encodeProtocolMessage({ type: 'sync', message: { parts: [part, part, part] } });
    expect(() => decodeProtocolMessage(bytes, { maxParts: 2 })).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.MESSAGE_TOO_LARGE }));
    expect(() => decodeProtocolMessage(bytes, { maxValues: 2 })).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.MESSAGE_TOO_LARGE }));
    expect(decodeProtocolMessage(bytes, { maxParts: 3, maxValues: 3 }).type).toBe('sync');
  });

  test('malformed input is refused with DOCS_SYNC_MALFORMED_MESSAGE and the decoding error as cause', () => {
    for (const hex of ['', '03', '0101', '01ffffffff0f', '0209', '0203', '01010200404040']) {
      let caught: unknown;
      try {
        decodeProtocolMessage(hexToBytes(hex));
      } catch (error) {
        caught = error;
      }
      expect(caught, hex).toMatchObject({ code: SYNC_ERROR_CODES.MALFORMED_MESSAGE });
      expect(isDocsError((caught as Error).cause), hex).toBe(true);
    }
  });

  test('random and mutated bytes never throw anything but a DOCS_SYNC_ error (seeded)', () => {
    const valid = fc.constantFrom(
      encodeProtocolMessage({ type: 'init', namespace: namespace.id, message: { parts: [{ kind: 'fingerprint', range: { x: rid.bytes, y: rid.bytes }, fingerprint: EMPTY_FINGERPRINT }] } }),
      encodeProtocolMessage({ type: 'sync', message: { parts: [{ kind: 'items', range: { x: rid.bytes, y: rid.bytes }, values: [[golden, 'complete']], haveLocal: true }] } }),
    );
    const inputs = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.tuple(valid, fc.nat(), fc.nat(255), fc.boolean()).map(([bytes, at, value, truncate]) => {
        const index = at % bytes.length;
        return truncate ? bytes.slice(0, index) : bytes.map((byte, i) => (i === index ? value : byte));
      }),
    );
    fc.assert(
      fc.property(inputs, (input) => {
        try {
          const decoded = decodeProtocolMessage(input);
          expect(encodeProtocolMessage(decoded)).toEqual(input);
        } catch (error) {
          if (!isDocsError(error) || !error.code.startsWith('DOCS_SYNC_')) throw error;
        }
      }),
      { seed: 0xc0dec, numRuns: process.env.SLOW === '1' ? 20_000 : 2_000 },
    );
  });
});
