import { NamespaceSecret, bytesToHex, hexToBytes } from '@docs/crypto';
import {
  CAPABILITY_KIND,
  ENTRY_ERROR_CODES,
  capabilityFromRaw,
  capabilityNamespace,
  capabilityToRaw,
  decodeCapability,
  encodeCapability,
  mergeCapabilities,
  readCapability,
  writeCapability,
} from '@docs/entry';
import { describe, expect, test } from 'vitest';

const secret = NamespaceSecret.fromBytes(new Uint8Array(32).fill(0xb2));
const write = writeCapability(secret);
const read = readCapability(secret.id);
const other = writeCapability(NamespaceSecret.fromBytes(new Uint8Array(32).fill(3)));

describe('Capability', () => {
  test('postcard: write = 00 20 <seed>, read = 01 <id>', () => {
    expect(bytesToHex(encodeCapability(write))).toBe('0020' + 'b2'.repeat(32));
    expect(bytesToHex(encodeCapability(read))).toBe('01' + bytesToHex(secret.id));
    const decodedWrite = decodeCapability(encodeCapability(write));
    expect(decodedWrite.kind).toBe('write');
    expect(capabilityNamespace(decodedWrite)).toEqual(secret.id);
    expect(decodeCapability(encodeCapability(read))).toEqual(read);
  });

  test('malformed capabilities are refused with DOCS_ENTRY_ codes', () => {
    const codeOf = (hex: string) => {
      try {
        decodeCapability(hexToBytes(hex));
      } catch (error) {
        return (error as { code?: string }).code;
      }
      return 'decoded';
    };
    expect(codeOf('02' + '00'.repeat(32))).toBe(ENTRY_ERROR_CODES.INVALID_TAG);
    expect(codeOf('0021' + '00'.repeat(33))).toBe(ENTRY_ERROR_CODES.INVALID_LENGTH);
    expect(codeOf('01' + '00'.repeat(31))).toBe(ENTRY_ERROR_CODES.TRUNCATED);
    expect(codeOf('01' + '00'.repeat(33))).toBe(ENTRY_ERROR_CODES.TRAILING_BYTES);
  });

  test('merge: only read → write upgrades; write is never downgraded', () => {
    expect(mergeCapabilities(read, write)).toEqual({ capability: write, upgraded: true });
    expect(mergeCapabilities(write, read)).toEqual({ capability: write, upgraded: false });
    expect(mergeCapabilities(write, write)).toEqual({ capability: write, upgraded: false });
    expect(mergeCapabilities(read, read)).toEqual({ capability: read, upgraded: false });
    expect(() => mergeCapabilities(read, other)).toThrow(
      expect.objectContaining({ code: ENTRY_ERROR_CODES.NAMESPACE_MISMATCH }),
    );
  });

  test('raw form is (kind, 32 bytes) and round-trips', () => {
    expect(capabilityToRaw(write)).toEqual({ kind: CAPABILITY_KIND.write, bytes: secret.toBytes() });
    expect(capabilityToRaw(read)).toEqual({ kind: CAPABILITY_KIND.read, bytes: secret.id });
    expect(capabilityNamespace(capabilityFromRaw(1, secret.toBytes()))).toEqual(secret.id);
    expect(capabilityFromRaw(2, secret.id)).toEqual(read);
    expect(() => capabilityFromRaw(3, secret.id)).toThrow(expect.objectContaining({ code: ENTRY_ERROR_CODES.INVALID_TAG }));
  });
});
