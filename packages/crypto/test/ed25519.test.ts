import * as noble from '@noble/ed25519';
import fc from 'fast-check';
import { FIRST_TABLE_AFTER } from '../src/ed25519-key-tables.js';
import { describe, expect, it } from 'vitest';
import { defaultEd25519, nativeEd25519, portableEd25519, verify, type Ed25519 } from '../src/index.js';
import { createNodeEd25519 } from '../src/ed25519-node.js';
import {
  MIXED_ORDER_PROBE_MESSAGE,
  MIXED_ORDER_PROBE_SIGNATURE,
  PROBE_PUBLIC_KEY,
} from '../src/ed25519-probe.js';
import { createWebCryptoEd25519 } from '../src/ed25519-webcrypto.js';
import { deriveEdgeCases } from './ed25519-edge-cases.js';
import {
  hex,
  readVectors,
  toHex,
  type Rfc8032Vector,
  type VerifyCase,
  type WycheproofVectors,
  type Zip215Vector,
} from './vectors.js';

const PROPERTY_SEED = 0x5eed_2519;

const nodeBackend = createNodeEd25519();
const webCryptoBackend = await createWebCryptoEd25519();
const backends: [string, Ed25519][] = [
  ['node:crypto', nodeBackend!],
  ['WebCrypto', webCryptoBackend!],
  ['portable', portableEd25519],
];

const rfc8032 = readVectors<Rfc8032Vector[]>('ed25519-rfc8032.json');
const wycheproof = readVectors<WycheproofVectors>('ed25519-wycheproof.json');
const zip215 = readVectors<Zip215Vector[]>('ed25519-zip215.json');
const edgeCases = deriveEdgeCases();

const rfc8032Cases: VerifyCase[] = rfc8032.map((vector, index) => ({
  name: `RFC 8032 #${index + 1}`,
  publicKey: hex(vector.pub),
  message: hex(vector.msg),
  signature: hex(vector.sig),
  expected: true,
}));
const wycheproofCases: VerifyCase[] = wycheproof.testGroups.flatMap((group) =>
  group.tests.map((test) => ({
    name: `Wycheproof tcId ${test.tcId} (${test.comment || test.flags.join(',')})`,
    publicKey: hex(group.publicKey.pk),
    message: hex(test.msg),
    signature: hex(test.sig),
    expected: test.result === 'valid',
  })),
);
// Under the strict rule no ZIP-215 case is valid: every A and R there is small-order or non-canonical.
const zip215Cases: VerifyCase[] = zip215.map((vector, index) => ({
  name: `ZIP-215 #${index}`,
  publicKey: hex(vector.vk_bytes),
  message: new TextEncoder().encode('Zcash'),
  signature: hex(vector.sig_bytes),
  expected: false,
}));

const suites: [string, VerifyCase[]][] = [
  ['RFC 8032 vectors', rfc8032Cases],
  ['Wycheproof vectors', wycheproofCases],
  ['ZIP-215 vectors', zip215Cases],
  ['derived edge cases', edgeCases],
];

/** The names of the cases where `backend` answers differently from the strict rule. */
async function mismatches(backend: Ed25519, cases: VerifyCase[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const testCase of cases) {
    const verdict = await backend.verify(testCase.publicKey, testCase.message, testCase.signature);
    if (verdict !== testCase.expected) wrong.push(`${testCase.name}: got ${verdict}`);
  }
  return wrong;
}

describe('the vector files', () => {
  it('hold the expected number of cases', () => {
    expect(rfc8032Cases.length).toBeGreaterThanOrEqual(4);
    expect(wycheproofCases).toHaveLength(wycheproof.numberOfTests);
    expect(zip215Cases).toHaveLength(196);
    expect(edgeCases.length).toBeGreaterThan(80);
  });

  it('derived edge cases marked cofactored-valid are accepted by a ZIP-215 verifier (so rejecting them is meaningful)', () => {
    const notAccepted = edgeCases
      .filter((testCase) => testCase.cofactoredValid)
      .filter((testCase) => !noble.verify(testCase.signature, testCase.message, testCase.publicKey, { zip215: true }))
      .map((testCase) => testCase.name);
    expect(notAccepted).toEqual([]);
  });
});

describe('platform selection in Node', () => {
  it('has a native backend (node:crypto) and uses it by default', () => {
    expect(nodeBackend?.name).toBe('native');
    expect(webCryptoBackend?.name).toBe('native');
    expect(nativeEd25519()?.name).toBe('native');
    expect(defaultEd25519()).toBe(nativeEd25519());
    expect(portableEd25519.name).toBe('portable');
  });

  it('verify() answers with the default backend', async () => {
    const valid = rfc8032Cases[1]!;
    expect(await verify(valid.publicKey, valid.message, valid.signature)).toBe(true);
    expect(await verify(valid.publicKey, new Uint8Array([1]), valid.signature)).toBe(false);
  });
});

describe.each(backends)('%s backend', (_name, backend) => {
  it('reproduces the RFC 8032 public keys and signatures', async () => {
    for (const vector of rfc8032) {
      expect(toHex(backend.publicKey(hex(vector.priv)))).toBe(vector.pub);
      expect(toHex(await backend.sign(hex(vector.priv), hex(vector.msg)))).toBe(vector.sig);
    }
  });

  it.each(suites)('answers the %s like the strict rule', async (_suite, cases) => {
    expect(await mismatches(backend, cases)).toEqual([]);
  });

  it.each(suites)('verifyMany answers the %s like verify, in order', async (_suite, cases) => {
    const verdicts = await backend.verifyMany(cases);
    expect(verdicts).toEqual(cases.map((testCase) => testCase.expected));
  });

  it.each(suites)('verifyMany answers the %s like verify with tables: one batch per key, enough for a table', async (_suite, cases) => {
    // 4 × FIRST_TABLE_AFTER per case: the node:crypto backend slices a batch over up to 4 workers.
    const byKey = new Map<string, VerifyCase[]>();
    for (const testCase of cases) {
      const name = toHex(testCase.publicKey);
      byKey.set(name, [...(byKey.get(name) ?? []), ...Array<VerifyCase>(4 * FIRST_TABLE_AFTER).fill(testCase)]);
    }
    for (const batch of byKey.values()) expect(await backend.verifyMany(batch)).toEqual(batch.map((testCase) => testCase.expected));
  });

  it('returns plain Uint8Arrays', async () => {
    const seed = hex(rfc8032[0]!.priv);
    const publicKey = backend.publicKey(seed);
    const signature = await backend.sign(seed, new Uint8Array(3));
    for (const bytes of [publicKey, signature]) expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(publicKey).toHaveLength(32);
    expect(signature).toHaveLength(64);
  });

  it('throws TypeError/RangeError on programmer mistakes', async () => {
    expect(() => backend.publicKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => backend.publicKey([1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    await expect(backend.sign(new Uint8Array(33), new Uint8Array(0))).rejects.toThrow(RangeError);
    await expect(backend.sign(new Uint8Array(32), 'text' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    await expect(
      backend.verify(new Uint8Array(32), 'text' as unknown as Uint8Array, new Uint8Array(64)),
    ).rejects.toThrow(TypeError);
    // verifyMany too, also under a key that has a table (the batch gives it one).
    const valid = Array<VerifyCase>(4 * FIRST_TABLE_AFTER).fill(rfc8032Cases[0]!);
    const malformed = { ...rfc8032Cases[0]!, message: 'text' as unknown as Uint8Array };
    await expect(backend.verifyMany([...valid, malformed])).rejects.toThrow(TypeError);
    // A signature of the wrong length is a negative answer, not a mistake.
    expect((await backend.verifyMany([...valid, { ...rfc8032Cases[0]!, signature: new Uint8Array(63) }])).at(-1)).toBe(false);
    await expect(backend.verifyMany(null as unknown as VerifyCase[])).rejects.toThrow(TypeError);
  });
});

describe('all backends agree', () => {
  it('on every vector and derived case', async () => {
    const disagreements: string[] = [];
    for (const testCase of suites.flatMap(([, cases]) => cases)) {
      const verdicts = await Promise.all(
        backends.map(([, backend]) => backend.verify(testCase.publicKey, testCase.message, testCase.signature)),
      );
      if (new Set(verdicts).size !== 1) disagreements.push(`${testCase.name}: ${verdicts.join('/')}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('on random keys and messages: same signature, valid, and invalid once a bit flips (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat(),
        async (seed, message, flip) => {
          const signatures = await Promise.all(backends.map(([, backend]) => backend.sign(seed, message)));
          const publicKeys = backends.map(([, backend]) => toHex(backend.publicKey(seed)));
          expect(new Set(publicKeys).size).toBe(1);
          expect(new Set(signatures.map(toHex)).size).toBe(1);
          const publicKey = hex(publicKeys[0]!);
          const signature = signatures[0]!;
          const tampered = signature.slice();
          tampered[flip % 64]! ^= 1 << (flip % 8);
          for (const [, backend] of backends) {
            expect(await backend.verify(publicKey, message, signature)).toBe(true);
            expect(await backend.verify(publicKey, message, tampered)).toBe(false);
            if (message.length > 0) {
              const otherMessage = message.slice();
              otherMessage[flip % message.length]! ^= 0x80;
              expect(await backend.verify(publicKey, otherMessage, signature)).toBe(false);
            }
          }
        },
      ),
      { seed: PROPERTY_SEED, numRuns: process.env.SLOW === '1' ? 400 : 40 },
    );
  });
});

describe('why the portable path does not call noble verify() directly', () => {
  it("noble's verify({ zip215: false }) checks the cofactored equation and accepts a mixed-order R", () => {
    expect(noble.verify(MIXED_ORDER_PROBE_SIGNATURE, MIXED_ORDER_PROBE_MESSAGE, PROBE_PUBLIC_KEY, { zip215: false })).toBe(true);
  });

  it('every backend rejects that probe signature', async () => {
    for (const [, backend] of backends) {
      expect(await backend.verify(PROBE_PUBLIC_KEY, MIXED_ORDER_PROBE_MESSAGE, MIXED_ORDER_PROBE_SIGNATURE)).toBe(false);
    }
  });
});
