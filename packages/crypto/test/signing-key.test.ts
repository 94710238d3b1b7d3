import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  Author,
  bytesToHex,
  CRYPTO_ERROR_CODES,
  defaultEd25519,
  isDocsError,
  NamespaceSecret,
  portableEd25519,
  SigningKey,
  verify,
  type Ed25519,
} from '../src/index.js';
import { createNodeEd25519 } from '../src/ed25519-node.js';
import { hex } from './vectors.js';

/** A key class written the way another package writes one (as @docs/sync-transport's NodeSecret is). */
class DeviceKey extends SigningKey {
  declare private readonly deviceKeyBrand: never;

  private constructor(seed: Uint8Array, backend: Ed25519) {
    super(seed, backend);
  }

  static generate(backend: Ed25519 = defaultEd25519()): DeviceKey {
    return new DeviceKey(SigningKey.randomSeed(), backend);
  }

  static fromBytes(seed: Uint8Array, backend: Ed25519 = defaultEd25519()): DeviceKey {
    return new DeviceKey(SigningKey.copySeed(seed, 'device key'), backend);
  }

  protected get inspectLabel(): string {
    return 'DeviceKey';
  }
}

/** RFC 8032 section 7.1, test 1. */
const rfc8032 = {
  seed: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
  publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
  signatureOfEmpty:
    'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
};

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

const classes = [
  ['NamespaceSecret', NamespaceSecret],
  ['Author', Author],
  ['DeviceKey', DeviceKey],
] as const;

const backends = [
  ['node:crypto', createNodeEd25519()!],
  ['portable', portableEd25519],
] as const;

describe.each(classes)('SigningKey behaviour of %s', (label, KeyClass) => {
  it.each(backends)('derives the RFC 8032 public key and signature with the %s backend', async (_name, backend) => {
    const key = KeyClass.fromBytes(hex(rfc8032.seed), backend);
    expect(key).toBeInstanceOf(SigningKey);
    expect(key.backend).toBe(backend);
    expect(bytesToHex(key.id)).toBe(rfc8032.publicKey);
    expect(bytesToHex(await key.sign(new Uint8Array(0)))).toBe(rfc8032.signatureOfEmpty);
  });

  it('generates random seeds with the default backend, whose signatures verify under the id', async () => {
    const first = KeyClass.generate();
    const second = KeyClass.generate();
    expect(first.backend).toBe(defaultEd25519());
    expect(first.toBytes()).toHaveLength(32);
    expect(bytesToHex(first.toBytes())).not.toBe(bytesToHex(second.toBytes()));
    const message = new TextEncoder().encode(label);
    const signature = await first.sign(message);
    expect(await verify(first.id, message, signature)).toBe(true);
    expect(await verify(second.id, message, signature)).toBe(false);
  });

  it('owns its seed and id: copies in, fresh copies out', () => {
    const seed = new Uint8Array(32).fill(3);
    const key = KeyClass.fromBytes(seed);
    const id = bytesToHex(key.id);
    seed.fill(4);
    key.toBytes().fill(5);
    key.id.fill(6);
    expect(key.toBytes()).not.toBe(key.toBytes());
    expect(key.id).not.toBe(key.id);
    expect(bytesToHex(key.toBytes())).toBe('03'.repeat(32));
    expect(bytesToHex(key.id)).toBe(id);
  });

  it('shows its label and id in util.inspect, and the seed nowhere', () => {
    const key = KeyClass.generate();
    const seedHex = bytesToHex(key.toBytes());
    expect(inspect(key)).toBe(`${label}(id: ${bytesToHex(key.id)})`);
    expect(inspect({ nested: [key] }, { depth: 5 })).not.toContain(seedHex);
    expect(JSON.stringify(key)).toBe('{}');
    expect(Object.keys(key)).toEqual([]);
  });
});

describe('SigningKey seeds', () => {
  it('refuses other lengths with DOCS_CRYPTO_INVALID_KEY_LENGTH and a message naming the seed', () => {
    const cases = [
      [() => DeviceKey.fromBytes(new Uint8Array(31)), 'a device key seed is 32 bytes, got 31'],
      [() => Author.fromBytes(new Uint8Array(33)), 'a secret key seed is 32 bytes, got 33'],
      [() => NamespaceSecret.fromBytes(new Uint8Array(0)), 'a secret key seed is 32 bytes, got 0'],
    ] as const;
    for (const [action, message] of cases) {
      const error = thrown(action);
      expect(isDocsError(error) && error.code).toBe(CRYPTO_ERROR_CODES.invalidKeyLength);
      expect((error as Error).message).toBe(message);
    }
    expect(() => DeviceKey.fromBytes([0] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('leaves string conversion to the concrete class: the base has none that shows the seed', () => {
    const device = DeviceKey.generate();
    expect(String(device)).toBe('[object Object]');
    const author = Author.generate();
    expect(String(author)).toBe(bytesToHex(author.toBytes()));
  });
});

describe('key classes are distinct nominal types (checked by tsc -b)', () => {
  it('refuses one key class where another is expected, and accepts each as a SigningKey', () => {
    const author = Author.generate();
    const namespace = NamespaceSecret.generate();
    const device = DeviceKey.generate();

    // @ts-expect-error an Author is not a NamespaceSecret
    const authorAsNamespace: NamespaceSecret = author;
    // @ts-expect-error a NamespaceSecret is not an Author
    const namespaceAsAuthor: Author = namespace;
    // @ts-expect-error a key class of another package is not an Author
    const deviceAsAuthor: Author = device;
    // @ts-expect-error nor is an Author one of its keys
    const authorAsDevice: DeviceKey = author;
    // @ts-expect-error the base is not any of its subclasses
    const baseAsAuthor: Author = device as SigningKey;
    const asBase: SigningKey[] = [author, namespace, device];

    expect(authorAsNamespace).not.toBeInstanceOf(NamespaceSecret);
    expect(namespaceAsAuthor).not.toBeInstanceOf(Author);
    expect(deviceAsAuthor).not.toBeInstanceOf(Author);
    expect(authorAsDevice).not.toBeInstanceOf(DeviceKey);
    expect(baseAsAuthor).not.toBeInstanceOf(Author);
    expect(asBase.every((key) => key instanceof SigningKey)).toBe(true);
  });

  it('keeps the constructors and seed helpers closed to callers (compile time only, as TypeScript privacy is)', () => {
    const seed = new Uint8Array(32).fill(1);
    // @ts-expect-error the constructor of a concrete key class is private: use the static constructors
    const direct = new Author(seed, portableEd25519);
    // @ts-expect-error the seed helpers are protected: for key classes only
    const copy: Uint8Array = SigningKey.copySeed(seed, 'secret key');
    expect(bytesToHex(direct.id)).toBe(bytesToHex(Author.fromBytes(seed).id));
    expect(copy).toEqual(seed);
  });
});
