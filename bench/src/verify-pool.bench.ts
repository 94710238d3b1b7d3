import { defaultEd25519, nativeEd25519, Author, type SignatureCheck } from '@docs/crypto';

/** One row of the parallel verification benchmark. */
export interface VerifyPoolRow {
  readonly method: string;
  readonly signatures: number;
  readonly perSecond: number;
}

/**
 * Signatures verified per second one after the other (`verify`) vs in one batch (`verifyMany`, which in Node uses
 * every core): the limit on how fast a sync can accept entries (two signatures each).
 */
export async function runVerifyPoolBench(options: { signatures?: number; runs?: number } = {}): Promise<VerifyPoolRow[]> {
  const count = options.signatures ?? 20_000;
  const runs = options.runs ?? 3;
  const ed25519 = nativeEd25519() ?? defaultEd25519();
  const authors = Array.from({ length: 64 }, () => Author.generate(ed25519));
  const checks: SignatureCheck[] = [];
  for (let index = 0; index < count; index++) {
    const author = authors[index % authors.length]!;
    const message = new TextEncoder().encode(`message ${index}`);
    checks.push({ publicKey: author.id, message, signature: await author.sign(message) });
  }
  const sequential: number[] = [];
  const batched: number[] = [];
  for (let run = 0; run < runs; run++) {
    let start = performance.now();
    for (const check of checks) await ed25519.verify(check.publicKey, check.message, check.signature);
    sequential.push((count / (performance.now() - start)) * 1000);
    start = performance.now();
    const verdicts = await ed25519.verifyMany(checks);
    batched.push((count / (performance.now() - start)) * 1000);
    if (!verdicts.every(Boolean)) throw new Error('a valid signature failed to verify');
  }
  return [
    { method: `verify, one after the other (${ed25519.name})`, signatures: count, perSecond: median(sequential) },
    { method: `verifyMany, batched (${ed25519.name})`, signatures: count, perSecond: median(batched) },
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
