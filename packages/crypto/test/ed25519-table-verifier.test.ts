import { describe, expect, it } from 'vitest';
import { FIRST_TABLE_AFTER } from '../src/ed25519-key-tables.js';
import { portableEd25519 } from '../src/ed25519-portable.js';
import { passesStrictChecks } from '../src/ed25519-strict.js';
import { TABLE_MESSAGE_LIMIT, TableVerifier } from '../src/ed25519-table-verifier.js';
import type { SignatureCheck } from '../src/ed25519.js';
import { deriveEdgeCases } from './ed25519-edge-cases.js';
import { toHex, type VerifyCase } from './vectors.js';

const cases = deriveEdgeCases();

/** A TableVerifier whose `otherwise` answers with the portable path and records what it was given. */
function recorded(): { verifier: TableVerifier; otherwise: SignatureCheck[][]; verify: (checks: readonly SignatureCheck[]) => Promise<boolean[]> } {
  const verifier = new TableVerifier(4);
  const otherwise: SignatureCheck[][] = [];
  return {
    verifier,
    otherwise,
    verify: (checks) =>
      verifier.verifyMany(checks, async (others) => {
        otherwise.push([...others]);
        return portableEd25519.verifyMany(others);
      }),
  };
}

describe('TableVerifier (in this thread)', () => {
  it('answers every derived case like the strict rule, with the tables of keys used FIRST_TABLE_AFTER times', async () => {
    const { verify, otherwise } = recorded();
    const repeated = cases.flatMap((testCase) => Array<VerifyCase>(FIRST_TABLE_AFTER).fill(testCase));
    expect(await verify(repeated)).toEqual(repeated.map((testCase) => testCase.expected));
    // Only checks that pass the strict pre-checks under keys beyond the 4 tables went the other way; the rest
    // answers false without a verification.
    const strict = repeated.filter((testCase) => passesStrictChecks(testCase.publicKey, testCase.signature));
    expect(otherwise).toHaveLength(1);
    expect(otherwise[0]!.every((check) => passesStrictChecks(check.publicKey, check.signature))).toBe(true);
    // The 4 tables go to the 4 keys with the most checks.
    const perKey = new Map<string, number>();
    for (const check of strict) perKey.set(toHex(check.publicKey), (perKey.get(toHex(check.publicKey)) ?? 0) + 1);
    const topFour = [...perKey.values()].sort((a, b) => b - a).slice(0, 4);
    expect(strict.length - otherwise[0]!.length).toBe(topFour.reduce((sum, count) => sum + count, 0));
  });

  it('sends keys below FIRST_TABLE_AFTER uses, and messages above the limit, the other way', async () => {
    const { verify, otherwise } = recorded();
    const valid = cases[0]!;
    const few = Array<VerifyCase>(FIRST_TABLE_AFTER - 1).fill(valid);
    expect(await verify(few)).toEqual(few.map(() => true));
    expect(otherwise).toEqual([few]);
    // One more makes FIRST_TABLE_AFTER: this one goes to the key's table, a message above the limit does not.
    const long = { ...valid, message: new Uint8Array(TABLE_MESSAGE_LIMIT + 1), expected: false };
    expect(await verify([valid, long])).toEqual([true, false]);
    expect(otherwise).toEqual([few, [long]]);
  });

  it('refuses a number of key tables outside 1..MAX_KEY_TABLES', () => {
    expect(() => new TableVerifier(0)).toThrow(RangeError);
    expect(() => new TableVerifier(65)).toThrow(RangeError);
  });
});

describe('TableVerifier under stress', () => {
  it('answers overlapping calls right when one table is rebuilt for another key between them', async () => {
    const verifier = new TableVerifier(1);
    // Valid cases under four different keys: three get the one table in turn, the fourth goes the other way.
    const byKey = new Map<string, VerifyCase>();
    for (const testCase of cases) if (testCase.expected && passesStrictChecks(testCase.publicKey, testCase.signature)) byKey.set(toHex(testCase.publicKey), testCase);
    const [first, second, third, other] = [...byKey.values()];
    const keys = [first!, second!, third!];
    expect(other).toBeDefined();
    // A slow `otherwise`: each call's other checks answer later, while the next call has planned and built.
    const slow = async (others: readonly SignatureCheck[]): Promise<boolean[]> => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return portableEd25519.verifyMany(others);
    };
    const batches = keys.flatMap((key) => [Array<VerifyCase>(FIRST_TABLE_AFTER).fill(key), [key, other!]]);
    const answers = await Promise.all(batches.map((batch) => verifier.verifyMany(batch, slow)));
    expect(answers).toEqual(batches.map((batch) => batch.map((testCase) => testCase.expected)));
    expect(verifier.tableVerifications).toBeGreaterThan(0);
  });

  it('sends every check the other way, then and afterwards, when WebAssembly cannot compile', async () => {
    const compile = WebAssembly.compile;
    WebAssembly.compile = () => Promise.reject(new Error('refused by policy'));
    try {
      const { verifier, verify, otherwise } = recorded();
      const batch = Array<VerifyCase>(FIRST_TABLE_AFTER).fill(cases[0]!);
      expect(await verify(batch)).toEqual(batch.map(() => true));
      expect(await verify(cases)).toEqual(cases.map((testCase) => testCase.expected));
      expect(otherwise).toEqual([batch, cases]);
      expect(verifier.tableVerifications).toBe(0);
    } finally {
      WebAssembly.compile = compile;
    }
  });
});
