import { describe, expect, test } from 'vitest';
import { WholeNamespacePolicy } from '../src/whole-namespace-policy.js';

/** A policy with a budget of 1,000 records and a clock the test moves. */
function policy(): { rules: WholeNamespacePolicy; clock: { now: number } } {
  const clock = { now: 0 };
  return { rules: new WholeNamespacePolicy(1_000, () => clock.now), clock };
}

describe('which namespaces are held whole', () => {
  test('a namespace is admitted once its piecemeal loads cost a quarter of reading it whole, each load counting 128 besides its records', () => {
    const { rules } = policy();
    // 800 records: a quarter is 200.
    expect(rules.admit('a', 800)).toBeUndefined();
    rules.noteLoad('a', 16);
    expect(rules.admit('a', 800), '144 of 200').toBeUndefined();
    rules.noteLoad('a', 60);
    expect(rules.admit('a', 800), '332 of 200').toEqual([]);
    // An empty namespace costs nothing to read whole.
    expect(rules.admit('empty', 0)).toEqual([]);
    // Holding a namespace starts its costs over; letting go does not bring them back.
    rules.hold('a', 800);
    expect(rules.has('a')).toBe(true);
    expect(rules.admit('a', 800), 'already held').toBeUndefined();
    rules.release('a');
    expect(rules.admit('a', 800), 'costs start over').toBeUndefined();
    // Forgotten loads (the namespace has no page left) start over too.
    rules.noteLoad('b', 500);
    rules.forgetLoads('b');
    expect(rules.admit('b', 800)).toBeUndefined();
  });

  test('namespaces held whole share the budget; one in use never gives way, one unused for a second does, least recently used first', () => {
    const { rules, clock } = policy();
    rules.hold('a', 400);
    clock.now = 100;
    rules.hold('b', 400);
    rules.noteLoad('c', 300);
    // 800 held, 400 more do not fit, and nothing is idle.
    expect(rules.admit('c', 400)).toBeUndefined();
    clock.now = 1_050;
    // 'a' (last used at 0) is idle, 'b' (at 100) not yet: letting go of 'a' makes room.
    expect(rules.admit('c', 400)).toEqual(['a']);
    clock.now = 2_000;
    rules.touch('a');
    // Both idle now? 'a' was just used: only 'b' may go, and it is enough.
    expect(rules.admit('c', 400)).toEqual(['b']);
    // A namespace larger than the budget never fits.
    rules.noteLoad('d', 5_000);
    expect(rules.admit('d', 1_200)).toBeUndefined();
  });

  test('nothing is let go when letting go of every idle namespace would still not make room', () => {
    const { rules, clock } = policy();
    rules.hold('a', 100);
    clock.now = 500;
    rules.hold('b', 700);
    clock.now = 1_200;
    rules.noteLoad('c', 1_000);
    // Only 'a' is idle: 100 back is not enough for 600.
    expect(rules.admit('c', 600)).toBeUndefined();
  });

  test('commits that grow the namespaces held whole past the budget let the least recently used go; each counts at least 16 records', () => {
    const { rules, clock } = policy();
    rules.hold('a', 500);
    clock.now = 10;
    rules.hold('b', 400);
    expect(rules.overBudget()).toEqual([]);
    rules.count('b', 200);
    expect(rules.overBudget()).toEqual(['a']);
    rules.release('a');
    rules.count('b', -150);
    expect(rules.overBudget()).toEqual([]);
    // Empty namespaces held whole count 16 each: 62 of them and 'b' (450) are 1,442.
    for (let index = 0; index < 62; index++) rules.hold(`empty ${index}`, 0);
    expect(rules.overBudget().length).toBeGreaterThan(0);
  });
});
