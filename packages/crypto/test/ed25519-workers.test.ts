import { spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { passesStrictChecks } from '../src/ed25519-strict.js';
import { createNodeEd25519 } from '../src/ed25519-node.js';
import { seedToPkcs8 } from '../src/ed25519-der.js';
import { FIRST_TABLE_AFTER } from '../src/ed25519-key-tables.js';
import { MAX_KEY_TABLES, TABLE_MESSAGE_LIMIT } from '../src/ed25519-table-verifier.js';
import { SignatureWorkers, WORKER_BATCH_BYTES } from '../src/ed25519-workers.js';
import { deriveEdgeCases } from './ed25519-edge-cases.js';
import { hex, readVectors, toHex, type Rfc8032Vector, type VerifyCase, type WycheproofVectors } from './vectors.js';

const wycheproof = readVectors<WycheproofVectors>('ed25519-wycheproof.json');
// Every case that passes the strict pre-checks: what the workers are given, and where the group equation decides.
const cases: VerifyCase[] = [
  ...wycheproof.testGroups.flatMap((group) =>
    group.tests.map((test) => ({
      name: `Wycheproof tcId ${test.tcId}`,
      publicKey: hex(group.publicKey.pk),
      message: hex(test.msg),
      signature: hex(test.sig),
      expected: test.result === 'valid',
    })),
  ),
  ...readVectors<Rfc8032Vector[]>('ed25519-rfc8032.json').map((vector, index) => ({
    name: `RFC 8032 vector ${index}`,
    publicKey: hex(vector.pub),
    message: hex(vector.msg),
    signature: hex(vector.sig),
    expected: true,
  })),
  ...deriveEdgeCases(),
].filter((testCase) => passesStrictChecks(testCase.publicKey, testCase.signature));

/** A small deterministic generator (xorshift32) for the seeded cases. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** The strict rule's verdict, from node:crypto alone (the reference for the table path). */
function strictVerdict(check: VerifyCase): boolean {
  if (!passesStrictChecks(check.publicKey, check.signature)) return false;
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), check.publicKey]);
  try {
    return nodeVerify(null, check.message, { key: spki, format: 'der', type: 'spki' }, check.signature);
  } catch {
    return false;
  }
}

/**
 * Signatures under a few keys with messages of every length from 0 to `lengths` (the hash input R ‖ A ‖ M crosses
 * SHA-512's block and padding boundaries), about a third of them corrupted in R, S or the message (seeded).
 */
function seededCases(seed: number, keys: number, lengths: number): VerifyCase[] {
  const random = generator(seed);
  const seeds = Array.from({ length: keys }, (_, index) => new Uint8Array(32).fill(seed + index));
  const privateKeys = seeds.map((bytes) => createPrivateKey({ key: Buffer.from(seedToPkcs8(bytes)), format: 'der', type: 'pkcs8' }));
  const publicKeys = privateKeys.map((key) => new Uint8Array(Buffer.from(createPublicKey(key).export({ format: 'jwk' }).x!, 'base64url')));
  const cases: VerifyCase[] = [];
  for (let length = 0; length <= lengths; length++) {
    const which = length % keys;
    const message = Uint8Array.from({ length }, () => Math.floor(random() * 256));
    const signature = new Uint8Array(nodeSign(null, message, privateKeys[which]!));
    const corruption = Math.floor(random() * 9);
    if (corruption === 0) signature[Math.floor(random() * 32)]! ^= 1 << Math.floor(random() * 8);
    if (corruption === 1) signature[32 + Math.floor(random() * 31)]! ^= 1 << Math.floor(random() * 8);
    if (corruption === 2 && length > 0) message[Math.floor(random() * length)]! ^= 1;
    const testCase = { name: `seeded ${seed} length ${length}`, publicKey: publicKeys[which]!, message, signature, expected: false };
    cases.push({ ...testCase, expected: strictVerdict(testCase) });
  }
  return cases;
}

describe('SignatureWorkers', () => {
  it('answers every vector that passes the strict pre-checks as the strict rule does, in order, in slices over workers', async () => {
    const workers = new SignatureWorkers(3);
    try {
      expect(cases.length).toBeGreaterThan(100);
      expect(cases.some((testCase) => !testCase.expected)).toBe(true);
      expect(await workers.verify(cases)).toEqual(cases.map((testCase) => testCase.expected));
      // Several batches at once share the workers; each gets its own answers.
      const reversed = [...cases].reverse();
      const [first, second] = await Promise.all([workers.verify(cases.slice(0, 50)), workers.verify(reversed)]);
      expect(first).toEqual(cases.slice(0, 50).map((testCase) => testCase.expected));
      expect(second).toEqual(reversed.map((testCase) => testCase.expected));
      expect(await workers.verify([])).toEqual([]);
    } finally {
      await workers.close();
    }
  });

  it('verifies with tables as the strict rule does: every vector, each key with a table', async () => {
    // One batch per key, each case FIRST_TABLE_AFTER times: every key of the vectors gets a table (more keys than
    // the worker's 8 tables: they are replaced between batches).
    const workers = new SignatureWorkers(1);
    try {
      const byKey = new Map<string, VerifyCase[]>();
      for (const testCase of cases) {
        const name = toHex(testCase.publicKey);
        byKey.set(name, [...(byKey.get(name) ?? []), ...Array<VerifyCase>(FIRST_TABLE_AFTER).fill(testCase)]);
      }
      expect(byKey.size).toBeGreaterThan(8);
      for (const batch of byKey.values()) expect(await workers.verify(batch)).toEqual(batch.map((testCase) => testCase.expected));
      expect(workers.tableVerifications).toBe(cases.length * FIRST_TABLE_AFTER);
    } finally {
      await workers.close();
    }
  });

  it('verifies seeded signatures of every message length to 600 bytes, some corrupted, with tables as node:crypto does', async () => {
    const workers = new SignatureWorkers(1);
    try {
      const seeded = [...seededCases(1, 2, 600), ...seededCases(2, 3, 300)];
      expect(seeded.filter((testCase) => testCase.expected).length).toBeGreaterThan(seeded.length / 2);
      expect(seeded.some((testCase) => !testCase.expected)).toBe(true);
      // Twice: the first batch builds the tables (every key is used more than FIRST_TABLE_AFTER times).
      expect(await workers.verify(seeded)).toEqual(seeded.map((testCase) => testCase.expected));
      expect(await workers.verify(seeded)).toEqual(seeded.map((testCase) => testCase.expected));
      expect(workers.tableVerifications).toBe(2 * seeded.length);
    } finally {
      await workers.close();
    }
  });

  it('answers false for every signature under a key that is not a point, with a table as without', async () => {
    const workers = new SignatureWorkers(1);
    try {
      const notAPoint = cases.find((testCase) => testCase.name.startsWith('A not on the curve'));
      expect(notAPoint).toBeDefined();
      const batch = Array<VerifyCase>(FIRST_TABLE_AFTER * 2).fill(notAPoint!);
      expect(await workers.verify(batch)).toEqual(batch.map(() => false));
      expect(workers.tableVerifications).toBe(batch.length);
    } finally {
      await workers.close();
    }
  });

  it('verifies messages above TABLE_MESSAGE_LIMIT with node:crypto, beside others of the same key with its table', async () => {
    const workers = new SignatureWorkers(1);
    try {
      const [short] = seededCases(3, 1, 0) as [VerifyCase];
      const privateKey = createPrivateKey({ key: Buffer.from(seedToPkcs8(new Uint8Array(32).fill(3))), format: 'der', type: 'pkcs8' });
      const message = new Uint8Array(TABLE_MESSAGE_LIMIT + 1).fill(7);
      const long = { name: 'long', publicKey: short.publicKey, message, signature: new Uint8Array(nodeSign(null, message, privateKey)), expected: true };
      const longer = { ...long, message: new Uint8Array(TABLE_MESSAGE_LIMIT + 2).fill(7), expected: false };
      const batch = [...Array<VerifyCase>(FIRST_TABLE_AFTER).fill(short), long, longer];
      expect(await workers.verify(batch)).toEqual(batch.map((testCase) => testCase.expected));
      expect(workers.tableVerifications).toBe(FIRST_TABLE_AFTER);
    } finally {
      await workers.close();
    }
  });

  it('never verifies a key with the table of another: a key reaching its threshold only with long messages gets none', async () => {
    const workers = new SignatureWorkers(1, 1);
    try {
      const owned = seededCases(4, 1, 20).find((testCase) => testCase.expected)!;
      const victim = seededCases(5, 1, 20).find((testCase) => testCase.expected)!;
      expect(await workers.verify(Array<VerifyCase>(FIRST_TABLE_AFTER).fill(owned))).toEqual(Array(FIRST_TABLE_AFTER).fill(true));
      // The victim's checks all have messages above the limit: they are not counted towards a table.
      const long = { ...victim, message: new Uint8Array(TABLE_MESSAGE_LIMIT + 1), expected: false };
      expect(await workers.verify(Array<VerifyCase>(FIRST_TABLE_AFTER).fill(long))).toEqual(Array(FIRST_TABLE_AFTER).fill(false));
      // The owned key's signature presented under the victim's key, and the victim's own.
      const forged = { ...owned, publicKey: victim.publicKey };
      const batch = [...Array<VerifyCase>(FIRST_TABLE_AFTER).fill(forged), victim, owned];
      expect(await workers.verify(batch)).toEqual([...Array(FIRST_TABLE_AFTER).fill(false), true, true]);
    } finally {
      await workers.close();
    }
  });

  it('answers batches in flight together on one worker, the second replacing the table of the first', async () => {
    const workers = new SignatureWorkers(1, 1);
    try {
      const first = seededCases(6, 1, 40);
      const second = seededCases(7, 1, 40);
      const [a, b] = await Promise.all([workers.verify(first), workers.verify(second)]);
      expect(a).toEqual(first.map((testCase) => testCase.expected));
      expect(b).toEqual(second.map((testCase) => testCase.expected));
      expect(workers.tableVerifications).toBe(first.length + second.length);
    } finally {
      await workers.close();
    }
  });

  it('refuses a number of key tables outside 0..MAX_KEY_TABLES', () => {
    expect(() => new SignatureWorkers(1, -1)).toThrow(RangeError);
    expect(() => new SignatureWorkers(1, MAX_KEY_TABLES + 1)).toThrow(RangeError);
    expect(() => new SignatureWorkers(1, 1.5)).toThrow(RangeError);
  });

  it('runs the WebAssembly built from assembly/ed25519-verify.ts (build:wasm --check)', () => {
    const script = fileURLToPath(new URL('../scripts/build-wasm.mjs', import.meta.url));
    const result = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('rejects the checks of a worker that stops, and starts a new one for the next batch', async () => {
    const workers = new SignatureWorkers(1);
    const pending = expect(workers.verify(cases)).rejects.toThrow(/exited/);
    await workers.close();
    await pending;
    expect(workers.available).toBe(true);
    expect(await workers.verify(cases.slice(0, 10))).toEqual(cases.slice(0, 10).map((testCase) => testCase.expected));
    await workers.close();
  });

  it('refuses a batch above WORKER_BATCH_BYTES packed, before starting anything', async () => {
    const workers = new SignatureWorkers(1);
    const [check] = cases as [VerifyCase];
    await expect(workers.verify([{ ...check, message: new Uint8Array(WORKER_BATCH_BYTES) }])).rejects.toThrow(RangeError);
    expect(workers.batchesAnswered).toBe(0);
  });

  it('serves verifyMany of the node:crypto backend for batches of 32 or more, and the thread pool answers when a worker stops', async () => {
    const workers = new SignatureWorkers(2);
    const backend = createNodeEd25519(workers)!;
    const expected = cases.map((testCase) => testCase.expected);
    expect(await backend.verifyMany(cases)).toEqual(expected);
    expect(workers.batchesAnswered).toBe(1);
    // Below the minimum: the thread pool.
    expect(await backend.verifyMany(cases.slice(0, 31))).toEqual(expected.slice(0, 31));
    expect(workers.batchesAnswered).toBe(1);
    // Workers stopped mid-batch (a batch of a few thousand checks, so that they are still at it): the same answers,
    // from the thread pool.
    const many = Array.from({ length: 20 }, () => cases).flat();
    const answers = backend.verifyMany(many);
    await workers.close();
    expect(await answers).toEqual(many.map((testCase) => testCase.expected));
    expect(workers.batchesAnswered).toBe(1);
    await workers.close();
  });

  it('does not keep the process alive once its batches are answered', async () => {
    const script = fileURLToPath(new URL('./fixtures/verify-many-and-exit.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@docs/source', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill(), 20_000);
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    expect(output.trim()).toBe('verified 64 of 64');
    expect(code).toBe(0);
  });
});
