/**
 * The part of vitest's API that `@docs/store/conformance` uses, for running it inside a page: `describe`,
 * `test`/`it` (with `.each`, `.skip`, `.skipIf`), the four hooks and vitest's own `expect` (the Jest matchers of
 * `@vitest/expect` on chai). The test build aliases `vitest` to this module.
 *
 * Semantics follow vitest's defaults: suites collect synchronously, tests run one after the other in the order
 * they were declared, `beforeEach` hooks run outermost first and `afterEach` hooks innermost first, a failing
 * hook fails its test, and every test has a timeout.
 */
import {
  GLOBAL_EXPECT,
  JestAsymmetricMatchers,
  JestChaiExpect,
  JestExtend,
  chai,
  setState,
  type ExpectStatic,
} from '@vitest/expect';

type Hook = () => unknown;
type TestBody = (...args: never[]) => unknown;

interface TestCase {
  readonly name: string;
  readonly body: () => unknown;
  readonly skip: boolean;
  readonly timeout: number | undefined;
}

interface Suite {
  readonly name: string;
  readonly parent: Suite | undefined;
  readonly children: (Suite | TestCase)[];
  readonly beforeAll: Hook[];
  readonly afterAll: Hook[];
  readonly beforeEach: Hook[];
  readonly afterEach: Hook[];
}

/** The outcome of one test: `'excluded'` when the run's filter left it out. */
export interface TestResult {
  /** Suite names and the test name, joined with ' > ' as vitest prints them. */
  readonly name: string;
  readonly state: 'pass' | 'fail' | 'skip' | 'excluded';
  readonly durationMs: number;
  /** The failure's message and stack, for a failed test. */
  readonly error?: string;
}

/** The default per-test and per-hook timeout, as the repository's vitest config sets it. */
export const DEFAULT_TIMEOUT = 60_000;

function newSuite(name: string, parent: Suite | undefined): Suite {
  return { name, parent, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] };
}

const root = newSuite('', undefined);
let collecting: Suite = root;

/** Declares a suite; its body runs at once and declares tests and hooks. */
export function describe(name: string, body: () => void): void {
  const suite = newSuite(name, collecting);
  collecting.children.push(suite);
  const outer = collecting;
  collecting = suite;
  try {
    body();
  } finally {
    collecting = outer;
  }
}

function declare(name: string, body: () => unknown, skip: boolean, timeout: number | undefined): void {
  collecting.children.push({ name, body, skip, timeout });
}

/** vitest's `%s`, `%i`, `%d`, `%j` and `%%` in `test.each` names. */
function formatName(template: string, values: readonly unknown[]): string {
  let next = 0;
  return template.replace(/%[sidfj%]/g, (token) => {
    if (token === '%%') return '%';
    const value = values[next++];
    if (token === '%i') return String(Math.trunc(Number(value)));
    if (token === '%d' || token === '%f') return String(Number(value));
    if (token === '%j') return JSON.stringify(value);
    return String(value);
  });
}

interface TestFunction {
  (name: string, body: TestBody, timeout?: number): void;
  /** One test per case; an array case is spread into the body's arguments, as in vitest. */
  each<T>(cases: readonly T[]): (name: string, body: (...args: T extends readonly unknown[] ? T : [T]) => unknown, timeout?: number) => void;
  skip(name: string, body?: TestBody, timeout?: number): void;
  skipIf(condition: unknown): (name: string, body: TestBody, timeout?: number) => void;
}

/** Declares a test. */
export const test: TestFunction = Object.assign(
  (name: string, body: TestBody, timeout?: number): void => declare(name, body as () => unknown, false, timeout),
  {
    each<T>(cases: readonly T[]) {
      return (name: string, body: (...args: never[]) => unknown, timeout?: number): void => {
        for (const value of cases) {
          const args = Array.isArray(value) ? (value as unknown[]) : [value];
          declare(formatName(name, args), () => (body as (...values: unknown[]) => unknown)(...args), false, timeout);
        }
      };
    },
    skip(name: string, body?: TestBody, timeout?: number): void {
      declare(name, (body ?? (() => undefined)) as () => unknown, true, timeout);
    },
    skipIf(condition: unknown) {
      return (name: string, body: TestBody, timeout?: number): void =>
        declare(name, body as () => unknown, Boolean(condition), timeout);
    },
  },
) as TestFunction;

/** vitest's alias of {@link test}. */
export const it: TestFunction = test;

/** Runs before the first test of the current suite. */
export function beforeAll(hook: Hook): void {
  collecting.beforeAll.push(hook);
}

/** Runs after the last test of the current suite. */
export function afterAll(hook: Hook): void {
  collecting.afterAll.push(hook);
}

/** Runs before each test of the current suite and its sub-suites. */
export function beforeEach(hook: Hook): void {
  collecting.beforeEach.push(hook);
}

/** Runs after each test of the current suite and its sub-suites. */
export function afterEach(hook: Hook): void {
  collecting.afterEach.push(hook);
}

chai.use(JestExtend);
chai.use(JestChaiExpect);
chai.use(JestAsymmetricMatchers);

/** vitest's `expect`: chai with the Jest matchers of `@vitest/expect`. */
export const expect: ExpectStatic = Object.assign(
  (value: unknown, message?: string) => chai.expect(value, message),
  chai.expect,
) as unknown as ExpectStatic;
setState({ assertionCalls: 0, isExpectingAssertions: false, expectedAssertionsNumber: null }, expect);
(globalThis as Record<symbol, unknown>)[GLOBAL_EXPECT] = expect;

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.message}\n${error.stack ?? ''}`;
  return String(error);
}

function withTimeout(work: () => unknown, timeout: number, what: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeout} ms`)), timeout);
    Promise.resolve()
      .then(work)
      .then(
        () => resolve(),
        (error: unknown) => reject(error),
      )
      .finally(() => clearTimeout(timer));
  });
}

function chain(suite: Suite): Suite[] {
  const suites: Suite[] = [];
  for (let current: Suite | undefined = suite; current !== undefined; current = current.parent) suites.unshift(current);
  return suites;
}

function fullName(suite: Suite, name: string): string {
  return [...chain(suite).map((each) => each.name).filter((each) => each !== ''), name].join(' > ');
}

/** Which of the declared tests a run executes. */
export interface RunOptions {
  /** Runs only the tests whose full name passes (default all); the others are reported as `'excluded'`. */
  readonly include?: (name: string) => boolean;
  /**
   * Runs every `count`-th runnable test starting at `index` (in declaration order), so that `count` pages can share
   * a suite; skipped and excluded tests are reported by shard 0 only. Default: one shard.
   */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Timeout of tests that set none, and of hooks, in milliseconds (default {@link DEFAULT_TIMEOUT}). */
  readonly timeout?: number;
  /** Called with each result as soon as it is known. */
  readonly onResult?: (result: TestResult) => void;
}

interface Run {
  readonly timeout: number;
  readonly report: (result: TestResult) => void;
  /** The tests this run executes. */
  readonly chosen: Set<TestCase>;
}

/**
 * Picks the tests a run executes, in declaration order: included, not skipped, and dealt to this shard; reports
 * the skipped and excluded ones (from shard 0 only).
 */
function choose(suite: Suite, options: RunOptions, shard: { index: number; count: number }, run: Run, dealt = { count: 0 }): void {
  for (const child of suite.children) {
    if ('children' in child) {
      choose(child, options, shard, run, dealt);
      continue;
    }
    const name = fullName(suite, child.name);
    const included = options.include?.(name) ?? true;
    if (child.skip || !included) {
      if (shard.index === 0) run.report({ name, state: child.skip ? 'skip' : 'excluded', durationMs: 0 });
    } else if (dealt.count++ % shard.count === shard.index) {
      run.chosen.add(child);
    }
  }
}

function runsSomething(run: Run, suite: Suite): boolean {
  return suite.children.some((child) => ('children' in child ? runsSomething(run, child) : run.chosen.has(child)));
}

async function runTest(run: Run, suite: Suite, test: TestCase, name: string): Promise<void> {
  const timeout = test.timeout ?? run.timeout;
  const started = performance.now();
  let failure: unknown;
  const suites = chain(suite);
  try {
    for (const each of suites) for (const hook of each.beforeEach) await withTimeout(hook, timeout, 'beforeEach');
    await withTimeout(test.body, timeout, 'the test');
  } catch (error) {
    failure = error;
  }
  for (const each of [...suites].reverse()) {
    for (const hook of each.afterEach) {
      try {
        await withTimeout(hook, timeout, 'afterEach');
      } catch (error) {
        failure ??= error;
      }
    }
  }
  const durationMs = performance.now() - started;
  run.report(
    failure === undefined ? { name, state: 'pass', durationMs } : { name, state: 'fail', durationMs, error: describeError(failure) },
  );
}

async function runSuite(run: Run, suite: Suite): Promise<void> {
  if (!runsSomething(run, suite)) return;
  let setupFailure: unknown;
  for (const hook of suite.beforeAll) {
    try {
      await withTimeout(hook, run.timeout, 'beforeAll');
    } catch (error) {
      setupFailure = error;
      break;
    }
  }
  for (const child of suite.children) {
    if ('children' in child) {
      if (setupFailure === undefined) await runSuite(run, child);
      continue;
    }
    if (!run.chosen.has(child)) continue;
    const name = fullName(suite, child.name);
    if (setupFailure === undefined) await runTest(run, suite, child, name);
    else run.report({ name, state: 'fail', durationMs: 0, error: `beforeAll failed: ${describeError(setupFailure)}` });
  }
  for (const hook of suite.afterAll) {
    try {
      await withTimeout(hook, run.timeout, 'afterAll');
    } catch (error) {
      run.report({ name: fullName(suite, '(afterAll)'), state: 'fail', durationMs: 0, error: describeError(error) });
    }
  }
}

/** Runs the tests declared so far (all, or this shard's share), in order; resolves with their results. */
export async function runDeclaredTests(options: RunOptions = {}): Promise<TestResult[]> {
  const shard = options.shard ?? { index: 0, count: 1 };
  if (!Number.isSafeInteger(shard.count) || shard.count < 1 || !Number.isSafeInteger(shard.index) || shard.index < 0 || shard.index >= shard.count) {
    throw new RangeError(`invalid shard ${shard.index}/${shard.count}`);
  }
  const results: TestResult[] = [];
  const run: Run = {
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    report: (result) => {
      results.push(result);
      options.onResult?.(result);
    },
    chosen: new Set(),
  };
  choose(root, options, shard, run);
  await runSuite(run, root);
  return results;
}
