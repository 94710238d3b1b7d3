import { bytesToHex, hexToBytes, isDocsError } from '@docs/crypto';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOWNLOAD_POLICY,
  decodeDownloadPolicy,
  encodeDownloadPolicy,
  keyFilterToString,
  parseKeyFilter,
  shouldDownload,
  type DownloadPolicy,
} from '../src/download-policy.js';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('download policy', () => {
  it('encodes as postcard: variant, filter count, (kind, bytes)…', () => {
    expect(bytesToHex(encodeDownloadPolicy(DEFAULT_DOWNLOAD_POLICY))).toBe('0100');
    const policy: DownloadPolicy = {
      kind: 'nothing-except',
      filters: [
        { kind: 'prefix', pattern: utf8('a') },
        { kind: 'exact', pattern: new Uint8Array([0, 255]) },
      ],
    };
    expect(bytesToHex(encodeDownloadPolicy(policy))).toBe('0002000161010200ff');
    expect(decodeDownloadPolicy(encodeDownloadPolicy(policy))).toEqual(policy);
  });

  it('refuses unknown variants and trailing bytes with DOCS_ENTRY_* codes', () => {
    for (const [bytes, code] of [
      ['0200', 'DOCS_ENTRY_INVALID_TAG'],
      ['00010200', 'DOCS_ENTRY_INVALID_TAG'],
      ['010000', 'DOCS_ENTRY_TRAILING_BYTES'],
      ['0001', 'DOCS_ENTRY_TRUNCATED'],
    ] as const) {
      let caught: unknown;
      try {
        decodeDownloadPolicy(hexToBytes(bytes));
      } catch (error) {
        caught = error;
      }
      expect(isDocsError(caught), bytes).toBe(true);
      expect((caught as { code: string }).code, bytes).toBe(code);
    }
  });

  it('matches keys by prefix or exactly; everything-except inverts', () => {
    const filters = [
      { kind: 'prefix' as const, pattern: utf8('star_wars/') },
      { kind: 'exact' as const, pattern: utf8('lotr') },
    ];
    const only: DownloadPolicy = { kind: 'nothing-except', filters };
    const except: DownloadPolicy = { kind: 'everything-except', filters };
    for (const [key, matched] of [
      ['star_wars/han', true],
      ['star_wars/', true],
      ['star_wars', false],
      ['lotr', true],
      ['lotr/frodo', false],
    ] as const) {
      expect(shouldDownload(only, utf8(key)), key).toBe(matched);
      expect(shouldDownload(except, utf8(key)), key).toBe(!matched);
    }
    expect(shouldDownload(DEFAULT_DOWNLOAD_POLICY, utf8('anything'))).toBe(true);
  });

  it('key filters have the reference text form (test_filter_kind_encode_decode)', () => {
    const filter = parseKeyFilter('prefix:utf8:memes/futurama');
    expect(filter).toEqual({ kind: 'prefix', pattern: utf8('memes/futurama') });
    expect(keyFilterToString(filter)).toBe('prefix:utf8:memes/futurama');
    expect(keyFilterToString({ kind: 'exact', pattern: new Uint8Array([0xff, 0]) })).toBe('exact:hex:ff00');
    expect(parseKeyFilter('exact:hex:ff00')).toEqual({ kind: 'exact', pattern: new Uint8Array([0xff, 0]) });
    expect(() => parseKeyFilter('suffix:utf8:x')).toThrow(TypeError);
  });
});
