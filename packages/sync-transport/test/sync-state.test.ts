import { SyncStates } from '@docs/sync-transport';
import { describe, expect, test } from 'vitest';

const namespace = new Uint8Array(32).fill(1);
const low = new Uint8Array(32).fill(0x10);
const high = new Uint8Array(32).fill(0xf0);

describe('pair states', () => {
  test('an idle pair accepts; a second request while accepting is refused AlreadySyncing', () => {
    const states = new SyncStates(low);
    const first = states.accept(namespace, high);
    expect('claim' in first).toBe(true);
    expect(states.accept(namespace, high)).toEqual({ reject: 'already-syncing' });
    expect(states.tryConnect(namespace, high, 'direct-join')).toBeUndefined();
    if ('claim' in first) states.finish(first.claim);
    expect(states.isRunning(namespace, high)).toBe(false);
    expect(states.tryConnect(namespace, high, 'direct-join')).toBeDefined();
  });

  test('crossing dials: the node with the greater id accepts, the other refuses (both decide alike)', () => {
    const atHigh = new SyncStates(high);
    const atLow = new SyncStates(low);
    const highDial = atHigh.tryConnect(namespace, low, 'direct-join')!;
    const lowDial = atLow.tryConnect(namespace, high, 'direct-join')!;
    // Each receives the other's Init while dialing.
    const highDecides = atHigh.accept(namespace, low);
    const lowDecides = atLow.accept(namespace, high);
    expect('claim' in highDecides).toBe(true);
    expect(lowDecides).toEqual({ reject: 'already-syncing' });
    // The refused dial (high's) ends: it must not release the session that replaced its claim.
    expect(atHigh.finish(highDial)).toBe(false);
    expect(atHigh.isRunning(namespace, low)).toBe(true);
    if ('claim' in highDecides) atHigh.finish(highDecides.claim);
    expect(atHigh.isRunning(namespace, low)).toBe(false);
    atLow.finish(lowDial);
    expect(atLow.isRunning(namespace, low)).toBe(false);
  });

  test('#111: a dial refused with AlreadySyncing leaves the pair idle, so a later trigger dials again', () => {
    const states = new SyncStates(low);
    const claim = states.tryConnect(namespace, high, 'new-neighbor')!;
    // … the peer answered Abort{AlreadySyncing}; the session ends like any other.
    expect(states.finish(claim)).toBe(false);
    expect(states.isRunning(namespace, high)).toBe(false);
    expect(states.tryConnect(namespace, high, 'sync-report')).toBeDefined();
  });

  test('a stale claim cannot release a newer session of the same pair', () => {
    const states = new SyncStates(high);
    const dial = states.tryConnect(namespace, low, 'direct-join')!;
    const accepted = states.accept(namespace, low);
    if (!('claim' in accepted)) throw new Error('expected the tie-break to accept');
    states.finish(accepted.claim);
    const next = states.tryConnect(namespace, low, 'resync')!;
    expect(states.finish(dial)).toBe(false);
    expect(states.isRunning(namespace, low)).toBe(true);
    states.finish(next);
    expect(states.isRunning(namespace, low)).toBe(false);
  });

  test('sync reports and reconnects arriving while busy ask for a resync; other reasons do not', () => {
    const states = new SyncStates(low);
    let claim = states.tryConnect(namespace, high, 'direct-join')!;
    expect(states.tryConnect(namespace, high, 'direct-join')).toBeUndefined();
    expect(states.finish(claim)).toBe(false);
    claim = states.tryConnect(namespace, high, 'direct-join')!;
    expect(states.tryConnect(namespace, high, 'sync-report')).toBeUndefined();
    expect(states.finish(claim)).toBe(true);
    claim = states.tryConnect(namespace, high, 'resync')!;
    expect(states.finish(claim)).toBe(false); // the request was consumed
  });

  test('whenIdle resolves when the running session finishes or the namespace is forgotten', async () => {
    const states = new SyncStates(low);
    await states.whenIdle(namespace, high); // idle: at once
    const claim = states.tryConnect(namespace, high, 'manual')!;
    let idle = false;
    const waiting = states.whenIdle(namespace, high).then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    states.finish(claim);
    await waiting;
    expect(idle).toBe(true);
    states.tryConnect(namespace, high, 'manual');
    const forgotten = states.whenIdle(namespace, high);
    states.forget(namespace);
    await forgotten;
    expect(states.isRunning(namespace, high)).toBe(false);
  });
});
