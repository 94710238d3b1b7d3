import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { passesStrictChecks } from '../src/ed25519-strict.js';
import { createNodeEd25519 } from '../src/ed25519-node.js';
import { SignatureWorkers, WORKER_BATCH_BYTES } from '../src/ed25519-workers.js';
import { deriveEdgeCases } from './ed25519-edge-cases.js';
import { hex, readVectors, type VerifyCase, type WycheproofVectors } from './vectors.js';

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
  ...deriveEdgeCases(),
].filter((testCase) => passesStrictChecks(testCase.publicKey, testCase.signature));

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
