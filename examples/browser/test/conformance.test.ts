/**
 * `@docs/store`'s conformance suite for `@docs/store-level` on browser-level, run inside headless Chromium on
 * IndexedDB: the test page (built with vite, `vitest` aliased to a small in-page runner with vitest's `expect`)
 * runs the suite and publishes its results; this test asserts that every case passed. The same page loads every
 * @docs package, and the bundle is checked for Node built-ins.
 *
 * IndexedDB answers each read in about a millisecond here (one transaction per call), so the suite takes about
 * three minutes in one page. Several pages share it. By default two range tests are left out: each checks some
 * 2,000 ranges with seven calls apiece and alone runs for about a minute; `SLOW=1` runs them and a second run
 * with tiny aggregate nodes. (The suite's own long randomised mode, 20 seeds × 2,000 steps, would take over half
 * an hour on IndexedDB; it runs for store-level on classic-level and memory-level in Node, and here by hand with
 * the page's `slow=1`.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConformanceReport } from '../test-page/conformance.js';
import { KEY_TABLES_SUITE } from '../test-page/key-tables.js';
import { MUST_FAIL, SELF_CHECK_SUITE } from '../test-page/runner-self-check.js';
import type { TestResult } from '../test-page/vitest-shim.js';
import { chromiumSkipReason, launchChromium, type Chromium } from './support/chromium.js';
import { buildAndServe, type ServedPages } from './support/pages.js';

const SLOW = process.env['SLOW'] === '1';
const SHARDS = SLOW ? 4 : 3;
/** The O(bounds²) range checks, left out by default (see above). */
const LONG_RANGE_TESTS = 'ranges \\(RangeStore\\) > (count, fingerprint, items order|no leak across namespaces)';
/** The suite has 47 cases today; fewer than this means the page did not run it whole. */
const MINIMUM_CASES = 40;
const PAGE_TIMEOUT = SLOW ? 600_000 : 100_000;

const skipReason = chromiumSkipReason();
if (skipReason !== undefined) console.warn(`[browser conformance] skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('in headless Chromium', () => {
  let pages: ServedPages;
  let browser: Chromium;
  let reports: ConformanceReport[];
  /** The conformance suite's results. */
  let results: TestResult[];
  /** The in-page runner's own tests. */
  let selfCheck: TestResult[];
  /** The check of @docs/crypto's key tables in the page. */
  let keyTables: TestResult[];

  beforeAll(async () => {
    pages = await buildAndServe('test');
    browser = await launchChromium();
    const query = `selfcheck=1&${SLOW ? `tiny=1&timeout=${PAGE_TIMEOUT}` : `exclude=${encodeURIComponent(LONG_RANGE_TESTS)}`}`;
    reports = await Promise.all(
      Array.from({ length: SHARDS }, async (_, shard) => {
        const page = await browser.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${pages.origin}/conformance.html?${query}&shard=${shard}/${SHARDS}`);
        try {
          await page.waitForFunction(() => window.docsConformance !== undefined, undefined, { timeout: PAGE_TIMEOUT, polling: 250 });
        } catch (error) {
          const done = await page.locator('#results li').allTextContents();
          throw new Error(`shard ${shard} did not finish; page errors: ${errors.join('; ') || 'none'}; done: ${done.join(' | ')}`, {
            cause: error,
          });
        }
        return (await page.evaluate(() => window.docsConformance))!;
      }),
    );
    const all = reports.flatMap((report) => report.results);
    selfCheck = all.filter((result) => result.name.startsWith(`${SELF_CHECK_SUITE} > `));
    keyTables = all.filter((result) => result.name.startsWith(`${KEY_TABLES_SUITE} > `));
    results = all.filter((result) => !selfCheck.includes(result) && !keyTables.includes(result));
  }, PAGE_TIMEOUT + 30_000);

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  test('the bundle holds every @docs package and no Node built-in', () => {
    expect(pages.nodeOnlyModules).toEqual([]);
    for (const name of ['crypto', 'entry', 'rbsr', 'replica', 'store', 'store-level', 'store-memory', 'sync-transport']) {
      expect(pages.modules.some((id) => id.includes(`/packages/${name}/src/`)), name).toBe(true);
    }
    expect(pages.modules.some((id) => id.endsWith('/crypto/src/platform/browser.ts'))).toBe(true);
    expect(pages.modules.some((id) => id.endsWith('/crypto/src/platform/node.ts'))).toBe(false);
  });

  test('every @docs package loads in the page; Ed25519 runs on WebCrypto', () => {
    for (const report of reports) {
      expect(Object.keys(report.packages).sort()).toEqual([
        '@docs/crypto',
        '@docs/entry',
        '@docs/rbsr',
        '@docs/replica',
        '@docs/store',
        '@docs/store-level',
        '@docs/store-memory',
        '@docs/sync-transport',
      ]);
      for (const [name, exports] of Object.entries(report.packages)) expect(exports, name).toBeGreaterThan(0);
      expect(report.ed25519).toBe('native');
    }
  });

  test('the in-page runner notices failures: its self-check fails exactly where it must', () => {
    const byName = new Map(selfCheck.map((result) => [result.name.slice(SELF_CHECK_SUITE.length + 3), result]));
    expect([...byName.keys()].sort()).toEqual(
      [
        MUST_FAIL.expectation,
        MUST_FAIL.rejection,
        `nested > ${MUST_FAIL.afterEachHook}`,
        'each: 1 + 2 = 3',
        'each: 20 + 22 = 42',
        'skipIf(true) skips',
        'beforeEach ran before the test',
      ].sort(),
    );
    expect(byName.get(MUST_FAIL.expectation)).toMatchObject({ state: 'fail', error: expect.stringContaining('expected 2 to be 3') });
    expect(byName.get(MUST_FAIL.rejection)).toMatchObject({ state: 'fail', error: expect.stringContaining('promise resolved') });
    expect(byName.get(`nested > ${MUST_FAIL.afterEachHook}`)).toMatchObject({ state: 'fail', error: expect.stringContaining('afterEach failed on purpose') });
    expect(byName.get('skipIf(true) skips')?.state).toBe('skip');
    for (const name of ['each: 1 + 2 = 3', 'each: 20 + 22 = 42', 'beforeEach ran before the test']) expect(byName.get(name)?.state, name).toBe('pass');
  });

  test("@docs/crypto's key tables (WebAssembly in the page) answer verifyMany like verify", () => {
    expect(keyTables.map((result) => [result.state, result.error])).toEqual([['pass', undefined]]);
  });

  test('store-level on browser-level passes the DocsStore conformance suite', () => {
    const count = (state: TestResult['state']) => results.filter((result) => result.state === state);
    const [passed, failed, skipped, excluded] = [count('pass'), count('fail'), count('skip'), count('excluded')];
    console.info(
      `[browser conformance] in Chromium: ${passed.length} passed, ${failed.length} failed, ${skipped.length} skipped, ` +
        `${excluded.length} left out (${SLOW ? 'SLOW=1: the whole suite' : 'default: without the two long range tests'})`,
    );
    expect(failed.map((result) => `${result.name}: ${result.error}`)).toEqual([]);
    expect(skipped.map((result) => result.name)).toEqual([]);
    expect(excluded.length).toBeLessThanOrEqual(SLOW ? 0 : 2);
    // Every case ran exactly once across the shards.
    expect(new Set(results.map((result) => result.name)).size).toBe(results.length);
    const runs = SLOW ? ['(IndexedDB)', 'tiny aggregate nodes'] : ['(IndexedDB)'];
    for (const run of runs) {
      const declared = results.filter((result) => result.name.includes(run));
      expect(declared.length, `${run}: cases`).toBeGreaterThanOrEqual(MINIMUM_CASES);
      expect(passed.filter((result) => result.name.includes(run)).length, `${run}: passed`).toBe(declared.length - excluded.length);
    }
  });

  test('the pages fetched nothing off 127.0.0.1', () => {
    expect(browser.foreignRequests).toEqual([]);
  });
});
