import { afterEach, beforeEach, describe, expect, test } from './vitest-shim.js';

/** The name of the self-check suite, and the tests in it that must fail. */
export const SELF_CHECK_SUITE = 'runner self-check';
export const MUST_FAIL = {
  expectation: 'a failed expectation fails its test (must fail)',
  rejection: 'a failed async expectation fails its test (must fail)',
  afterEachHook: 'a failing afterEach hook fails its test (must fail)',
} as const;

/**
 * Tests of the in-page runner itself, so that a run cannot pass by not noticing failures: three tests that must
 * fail (an expectation, an awaited `.rejects`, an afterEach hook) and tests of `each`, `skipIf` and `beforeEach`.
 */
export function registerRunnerSelfCheck(): void {
  describe(SELF_CHECK_SUITE, () => {
    let prepared = false;
    beforeEach(() => {
      prepared = true;
    });
    afterEach(() => {
      prepared = false;
    });

    test(MUST_FAIL.expectation, () => {
      expect(1 + 1).toBe(3);
    });
    test(MUST_FAIL.rejection, async () => {
      await expect(Promise.resolve('settled')).rejects.toThrow();
    });
    test.each([
      [1, 2, 3],
      [20, 22, 42],
    ])('each: %i + %i = %i', (a, b, sum) => {
      expect(a + b).toBe(sum);
    });
    test.skipIf(true)('skipIf(true) skips', () => {
      throw new Error('a skipped test ran');
    });
    test('beforeEach ran before the test', () => {
      expect(prepared).toBe(true);
    });
    describe('nested', () => {
      afterEach(() => {
        throw new Error('afterEach failed on purpose');
      });
      test(MUST_FAIL.afterEachHook, () => undefined);
    });
  });
}
