import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  Author,
  blake3,
  CRYPTO_ERROR_CODES,
  defaultEd25519,
  idToString,
  isDocsError,
  NamespaceSecret,
  parseId,
  portableEd25519,
  verify,
  type DocsErrorCode,
} from '../src/index.js';
import { createNodeEd25519 } from '../src/ed25519-node.js';
import { hex, toHex } from './vectors.js';

function caught(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

function codeOf(action: () => unknown): DocsErrorCode | undefined {
  const error = caught(action);
  return isDocsError(error) ? error.code : undefined;
}

/** iroh-docs test_signed_entry_postcard_snapshot (reference notes §6.1). */
const golden = {
  authorSeed: new Uint8Array(32).fill(0xa1),
  namespaceSeed: new Uint8Array(32).fill(0xb2),
  authorId: 'bc7cbcb5636375fa1d82434d466724d92377f53b980695dd49d26d0ce12205a5',
  namespaceId: '55154f42065ea5a1bea05463826be2684eb92df92c100027aabaae57ca554207',
  authorBase32: 'xr6lznldmn27uhmcingumzze3erxp5j3tadjlxkj2jwqzyjcawsq',
  namespaceBase32: 'kuku6qqgl2s2dpvakrrye27cnbhlslpzfqiaaj5kxkxfpssviidq',
  postcard:
    '4b523f1b6d9b00a4779fc9f8f105a9e36f062ceb7d511b632905782042ad30acb6dd07bfced4ecd5f3aa58321e8ace63f48f988ed8461bfdcd8b0e902187a10e228ddc6998329b7faa64875fe80da36406ea8d87e3e57bb048323e9cb66c0b343b60c4e709fb978b878e37d0c362edfc06c8cdc774c8b29d94e48eaa06cca60f5055154f42065ea5a1bea05463826be2684eb92df92c100027aabaae57ca554207bc7cbcb5636375fa1d82434d466724d92377f53b980695dd49d26d0ce12205a5776972652d666f726d61742d7465737400af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f32628080f9c0c1c48203',
};

/** The 128 signed bytes: ns id, author id, key, len (u64 BE), BLAKE3 of the content, timestamp (u64 BE). */
function goldenSignedBytes(): Uint8Array {
  const key = new TextEncoder().encode('wire-format-test');
  const bytes = new Uint8Array(32 + 32 + key.length + 8 + 32 + 8);
  const view = new DataView(bytes.buffer);
  bytes.set(hex(golden.namespaceId), 0);
  bytes.set(hex(golden.authorId), 32);
  bytes.set(key, 64);
  view.setBigUint64(64 + key.length, 0n);
  bytes.set(blake3(new Uint8Array(0)), 72 + key.length);
  view.setBigUint64(104 + key.length, 1_700_000_000_000_000n);
  return bytes;
}

const backends = [
  ['node:crypto', createNodeEd25519()!],
  ['portable', portableEd25519],
] as const;

describe.each(backends)('iroh-docs golden vector (§6.1) with the %s backend', (_name, backend) => {
  it('derives the ids and their hex and base32 text forms', () => {
    const author = Author.fromBytes(golden.authorSeed, backend);
    const namespace = NamespaceSecret.fromBytes(golden.namespaceSeed, backend);
    expect(idToString(author.id)).toBe(golden.authorId);
    expect(idToString(namespace.id)).toBe(golden.namespaceId);
    expect(idToString(author.id, 'base32')).toBe(golden.authorBase32);
    expect(idToString(namespace.id, 'base32')).toBe(golden.namespaceBase32);
  });

  it('reproduces both entry signatures, which verify', async () => {
    const message = goldenSignedBytes();
    expect(message).toHaveLength(128);
    const postcard = hex(golden.postcard);
    const authorSignature = await Author.fromBytes(golden.authorSeed, backend).sign(message);
    const namespaceSignature = await NamespaceSecret.fromBytes(golden.namespaceSeed, backend).sign(message);
    expect(toHex(authorSignature)).toBe(toHex(postcard.subarray(0, 64)));
    expect(toHex(namespaceSignature)).toBe(toHex(postcard.subarray(64, 128)));
    expect(await backend.verify(hex(golden.authorId), message, authorSignature)).toBe(true);
    expect(await verify(hex(golden.namespaceId), message, namespaceSignature)).toBe(true);
  });
});

describe.each([
  ['NamespaceSecret', NamespaceSecret],
  ['Author', Author],
] as const)('%s', (_name, KeyClass) => {
  it('generates distinct random keys that sign verifiably', async () => {
    const first = KeyClass.generate();
    const second = KeyClass.generate();
    expect(toHex(first.toBytes())).not.toBe(toHex(second.toBytes()));
    expect(first.id).toHaveLength(32);
    expect(first.backend).toBe(defaultEd25519());
    const message = new TextEncoder().encode('hello');
    const signature = await first.sign(message);
    expect(await verify(first.id, message, signature)).toBe(true);
    expect(await verify(second.id, message, signature)).toBe(false);
  });

  it('signs identically on every backend', async () => {
    const seed = hex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');
    const native = KeyClass.fromBytes(seed);
    const portable = KeyClass.generate(portableEd25519);
    expect(portable.backend).toBe(portableEd25519);
    const samePortable = KeyClass.fromBytes(seed, portableEd25519);
    expect(toHex(samePortable.id)).toBe(toHex(native.id));
    expect(toHex(await samePortable.sign(Uint8Array.of(0x72)))).toBe(toHex(await native.sign(Uint8Array.of(0x72))));
  });

  it('copies the seed in and out, and hands out copies of the id', () => {
    const seed = new Uint8Array(32).fill(7);
    const key = KeyClass.fromBytes(seed);
    const id = toHex(key.id);
    seed.fill(8);
    key.toBytes().fill(9);
    key.id.fill(10);
    expect(toHex(key.toBytes())).toBe('07'.repeat(32));
    expect(toHex(key.id)).toBe(id);
  });

  it('round-trips through toString (hex of the seed) and parses hex or base32 in either case', () => {
    const key = KeyClass.generate();
    const text = key.toString();
    expect(text).toBe(toHex(key.toBytes()));
    const base32 = idToString(key.toBytes(), 'base32');
    for (const form of [text, text.toUpperCase(), base32, base32.toUpperCase()]) {
      expect(toHex(KeyClass.fromString(form).id)).toBe(toHex(key.id));
    }
    expect(KeyClass.fromString(text, portableEd25519).backend).toBe(portableEd25519);
  });

  it('rejects a seed of the wrong length with DOCS_CRYPTO_INVALID_KEY_LENGTH', () => {
    for (const length of [0, 31, 33, 64]) {
      expect(codeOf(() => KeyClass.fromBytes(new Uint8Array(length)))).toBe(CRYPTO_ERROR_CODES.invalidKeyLength);
    }
    expect(() => KeyClass.fromBytes('00' as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('rejects malformed text with DOCS_CRYPTO_INVALID_KEY, keeping the decoding error as cause', () => {
    for (const text of ['', 'ab', '0'.repeat(63), 'g'.repeat(64), '0'.repeat(52), '1'.repeat(52), '0'.repeat(66)]) {
      expect(codeOf(() => KeyClass.fromString(text)), text).toBe(CRYPTO_ERROR_CODES.invalidKey);
    }
    const error = caught(() => KeyClass.fromString('g'.repeat(64))) as Error;
    expect(isDocsError(error.cause) && error.cause.code).toBe(CRYPTO_ERROR_CODES.invalidHex);
    expect(() => KeyClass.fromString(3 as unknown as string)).toThrow(TypeError);
  });

  it('never shows the secret in util.inspect', () => {
    const key = KeyClass.generate();
    const shown = inspect(key);
    expect(shown).not.toContain(key.toString());
    expect(shown).toContain(idToString(key.id));
  });
});

describe('NamespaceSecret and Author are distinct types', () => {
  it('cannot be used for one another', () => {
    const author = Author.generate();
    // @ts-expect-error an Author is not a NamespaceSecret
    const namespace: NamespaceSecret = author;
    expect(namespace).not.toBeInstanceOf(NamespaceSecret);
    // @ts-expect-error a NamespaceSecret is not an Author
    const other: Author = NamespaceSecret.generate();
    expect(other).not.toBeInstanceOf(Author);
  });
});

describe('idToString / parseId', () => {
  const id = hex(golden.namespaceId);

  it('formats hex by default and base32 on request, and parses both in either case', () => {
    expect(idToString(id)).toBe(golden.namespaceId);
    expect(idToString(id, 'hex')).toBe(golden.namespaceId);
    expect(idToString(id, 'base32')).toBe(golden.namespaceBase32);
    for (const text of [golden.namespaceId, golden.namespaceId.toUpperCase(), golden.namespaceBase32, golden.namespaceBase32.toUpperCase()]) {
      expect(toHex(parseId(text))).toBe(golden.namespaceId);
    }
  });

  it('rejects malformed text with DOCS_CRYPTO_INVALID_ID', () => {
    const cases = ['', golden.namespaceId.slice(2), `${golden.namespaceId}00`, 'x'.repeat(64), `${golden.namespaceBase32.slice(0, 51)}8`, golden.namespaceBase32.slice(1)];
    for (const text of cases) expect(codeOf(() => parseId(text)), text).toBe(CRYPTO_ERROR_CODES.invalidId);
  });

  it('throws TypeError/RangeError on programmer mistakes', () => {
    expect(() => idToString(new Uint8Array(31))).toThrow(RangeError);
    expect(() => idToString('id' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => idToString(id, 'base64' as 'hex')).toThrow(TypeError);
    expect(() => parseId(undefined as unknown as string)).toThrow(TypeError);
  });
});
