import {
  Author,
  NamespaceSecret,
  bytesToBase32,
  bytesToHex,
  hexToBytes,
  nativeEd25519,
  portableEd25519,
  type Ed25519,
} from '@docs/crypto';
import {
  EMPTY_HASH,
  RecordIdentifier,
  createRecord,
  decodeAuthor,
  decodeNamespaceSecret,
  decodeSignedEntry,
  encodeAuthor,
  encodeEntryForSigning,
  encodeNamespaceSecret,
  encodeSignedEntry,
  encodedSignedEntrySize,
  signEntry,
  verifySignedEntry,
} from '@docs/entry';
import { describe, expect, test } from 'vitest';

// iroh-docs test_signed_entry_postcard_snapshot and friends (reference notes §6.1).
const GOLDEN_SIGNED_ENTRY =
  '4b523f1b6d9b00a4779fc9f8f105a9e36f062ceb7d511b632905782042ad30acb6dd07bfced4ecd5f3aa58321e8ace63f48f988ed8461bfdcd8b0e902187a10e' +
  '228ddc6998329b7faa64875fe80da36406ea8d87e3e57bb048323e9cb66c0b343b60c4e709fb978b878e37d0c362edfc06c8cdc774c8b29d94e48eaa06cca60f' +
  '50' +
  '55154f42065ea5a1bea05463826be2684eb92df92c100027aabaae57ca554207' +
  'bc7cbcb5636375fa1d82434d466724d92377f53b980695dd49d26d0ce12205a5' +
  '776972652d666f726d61742d74657374' +
  '00' +
  'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262' +
  '8080f9c0c1c48203';

const author = Author.fromBytes(new Uint8Array(32).fill(0xa1));
const namespace = NamespaceSecret.fromBytes(new Uint8Array(32).fill(0xb2));
const key = new TextEncoder().encode('wire-format-test');
const record = createRecord(EMPTY_HASH, 0, 1_700_000_000_000_000n);
const entry = { id: RecordIdentifier.of(namespace.id, author.id, key), record };

describe('golden vectors of the reference', () => {
  test('the ids are the public keys of the seeds', () => {
    expect(bytesToHex(namespace.id)).toBe('55154f42065ea5a1bea05463826be2684eb92df92c100027aabaae57ca554207');
    expect(bytesToHex(author.id)).toBe('bc7cbcb5636375fa1d82434d466724d92377f53b980695dd49d26d0ce12205a5');
    expect(bytesToBase32(namespace.id)).toBe('kuku6qqgl2s2dpvakrrye27cnbhlslpzfqiaaj5kxkxfpssviidq');
    expect(bytesToBase32(author.id)).toBe('xr6lznldmn27uhmcingumzze3erxp5j3tadjlxkj2jwqzyjcawsq');
  });

  test('the signed bytes are ns ‖ author ‖ key ‖ len BE ‖ hash ‖ timestamp BE', () => {
    expect(bytesToHex(encodeEntryForSigning(entry))).toBe(
      '55154f42065ea5a1bea05463826be2684eb92df92c100027aabaae57ca554207' +
        'bc7cbcb5636375fa1d82434d466724d92377f53b980695dd49d26d0ce12205a5' +
        '776972652d666f726d61742d74657374' +
        '0000000000000000' +
        'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262' +
        '00060a24181e4000',
    );
  });

  test('signing reproduces the 250-byte SignedEntry snapshot byte for byte', async () => {
    const signed = await signEntry(entry, namespace, author);
    const bytes = encodeSignedEntry(signed);
    expect(bytes.length).toBe(250);
    expect(encodedSignedEntrySize(signed)).toBe(250);
    expect(bytesToHex(bytes)).toBe(GOLDEN_SIGNED_ENTRY);
  });

  test('the snapshot decodes to the same entry and re-encodes to the same bytes', () => {
    const decoded = decodeSignedEntry(hexToBytes(GOLDEN_SIGNED_ENTRY));
    expect(decoded.entry.id.bytes).toEqual(entry.id.bytes);
    expect(decoded.entry.record).toEqual(record);
    expect(bytesToHex(encodeSignedEntry(decoded))).toBe(GOLDEN_SIGNED_ENTRY);
  });

  const native = nativeEd25519();
  const paths: Array<[string, Ed25519]> = [['portable', portableEd25519]];
  if (native) paths.push(['native', native]);
  test.each(paths)('both signatures of the snapshot verify on the %s path', async (_name, ed25519) => {
    const decoded = decodeSignedEntry(hexToBytes(GOLDEN_SIGNED_ENTRY));
    expect(await verifySignedEntry(decoded, ed25519)).toBe(true);
    const tampered = decodeSignedEntry(hexToBytes(GOLDEN_SIGNED_ENTRY.replace(/03$/, '04')));
    expect(await verifySignedEntry(tampered, ed25519)).toBe(false);
  });

  test('a native path exists in Node', () => {
    expect(native?.name).toBe('native');
  });

  test('author and namespace secret snapshots', () => {
    expect(bytesToHex(encodeAuthor(author))).toBe('20' + 'a1'.repeat(32));
    expect(bytesToHex(encodeNamespaceSecret(namespace))).toBe('20' + 'b2'.repeat(32));
    expect(decodeAuthor(encodeAuthor(author)).id).toEqual(author.id);
    expect(decodeNamespaceSecret(encodeNamespaceSecret(namespace)).id).toEqual(namespace.id);
  });
});
