import { inspect } from 'node:util';
import { Author, bytesToHex, CRYPTO_ERROR_CODES, NamespaceSecret, portableEd25519, SigningKey, verify } from '@docs/crypto';
import { NodeSecret } from '@docs/sync-transport';
import { describe, expect, it } from 'vitest';

describe('NodeSecret', () => {
  it('signs so that its id verifies, and round-trips through its seed', async () => {
    const secret = NodeSecret.generate();
    const message = new TextEncoder().encode('handshake transcript');
    const signature = await secret.sign(message);
    expect(signature.length).toBe(64);
    expect(await verify(secret.id, message, signature)).toBe(true);
    expect(await verify(NodeSecret.generate().id, message, signature)).toBe(false);

    const restored = NodeSecret.fromBytes(secret.toBytes(), portableEd25519);
    expect(restored.id).toEqual(secret.id);
    expect(await restored.sign(message)).toEqual(signature);
  });

  it('derives the RFC 8032 public key of a seed', () => {
    // RFC 8032 section 7.1, test 1.
    const seed = Uint8Array.from(
      Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex'),
    );
    expect(bytesToHex(NodeSecret.fromBytes(seed).id)).toBe(
      'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    );
  });

  it('copies its seed and id, refuses other seed lengths, and never shows the seed', () => {
    const seed = new Uint8Array(32).fill(5);
    const secret = NodeSecret.fromBytes(seed);
    seed.fill(0);
    const id = secret.id;
    id.fill(0);
    expect(secret.toBytes()).toEqual(new Uint8Array(32).fill(5));
    expect(secret.id).not.toEqual(new Uint8Array(32));
    expect(() => NodeSecret.fromBytes(new Uint8Array(31))).toThrow(
      expect.objectContaining({
        code: CRYPTO_ERROR_CODES.invalidKeyLength,
        message: 'a node secret seed is 32 bytes, got 31',
      }),
    );
    expect(() => NodeSecret.fromBytes('seed' as unknown as Uint8Array)).toThrow(TypeError);
    const shown = inspect(secret);
    expect(shown).toContain(bytesToHex(secret.id));
    expect(shown).not.toContain(bytesToHex(secret.toBytes()));
    expect(shown).toBe(`NodeSecret(id: ${bytesToHex(secret.id)})`);
  });

  it('is a SigningKey with no text form of its seed', () => {
    const secret = NodeSecret.fromBytes(new Uint8Array(32).fill(9), portableEd25519);
    expect(secret).toBeInstanceOf(SigningKey);
    expect(secret.backend).toBe(portableEd25519);
    expect('fromString' in NodeSecret).toBe(false);
    expect(String(secret)).toBe('[object Object]');
    expect(JSON.stringify({ secret })).toBe('{"secret":{}}');
  });

  it('is a distinct type from the keys of @docs/crypto (checked by tsc -b)', () => {
    const node = NodeSecret.generate();
    // @ts-expect-error a NodeSecret is not an Author
    const nodeAsAuthor: Author = node;
    // @ts-expect-error a NodeSecret is not a NamespaceSecret
    const nodeAsNamespace: NamespaceSecret = node;
    // @ts-expect-error an Author is not a NodeSecret, although it could sign a handshake
    const authorAsNode: NodeSecret = Author.generate();
    expect(nodeAsAuthor).not.toBeInstanceOf(Author);
    expect(nodeAsNamespace).not.toBeInstanceOf(NamespaceSecret);
    expect(authorAsNode).not.toBeInstanceOf(NodeSecret);
  });
});
