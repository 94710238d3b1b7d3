import { bytesToHex, compareBytes } from '@docs/crypto';
import type { AbortReason } from '../codec.js';

/** Why a sync with a peer was started (the reference's `SyncReason`, plus a reconnected link and a manual request). */
export type SyncReason = 'direct-join' | 'new-neighbor' | 'sync-report' | 'resync' | 'reconnect' | 'manual';

/** Which side of a session this node was: it dialed (`connect`, with the reason) or it accepted. */
export type SyncOrigin = { readonly kind: 'connect'; readonly reason: SyncReason } | { readonly kind: 'accept' };

/**
 * The right to run the one session of a (namespace, peer) pair, from {@link SyncStates.tryConnect} or
 * {@link SyncStates.accept}; give it back with {@link SyncStates.finish}.
 */
export interface SyncClaim {
  readonly namespace: Uint8Array;
  readonly peer: Uint8Array;
  readonly origin: SyncOrigin;
}

interface PairState {
  claim: SyncClaim | undefined;
  resyncRequested: boolean;
  readonly idleWaiters: Array<() => void>;
}

/**
 * Who syncs with whom right now, per (namespace, peer): at most one session per pair, decided the reference's
 * way — an incoming request while idle is allowed; while this node accepts one already it is refused
 * (`AlreadySyncing`); while this node dials the same peer, the node with the greater id accepts and the other
 * refuses, so of two crossing dials exactly one runs.
 *
 * Unlike the reference (issue #111), the pair's state is tied to a claim that every session gives back when it
 * ends — success, error, or a remote `AlreadySyncing` abort — so no pair can stay "running" forever. A claim
 * replaced by the tie-break gives back nothing when its session ends, so it cannot release the session that
 * replaced it. Sync requests that arrive while busy are remembered and reported by {@link finish}.
 */
export class SyncStates {
  readonly #local: Uint8Array;
  readonly #pairs = new Map<string, PairState>();

  /** @param localPeer - this node's id, for the tie-break */
  constructor(localPeer: Uint8Array) {
    this.#local = localPeer.slice();
  }

  /**
   * Decides an incoming sync request: a claim for the acceptor's session if allowed, else the reason to abort
   * with. Allowed while idle, and while dialing the same peer if this node's id is the greater one.
   */
  accept(namespace: Uint8Array, peer: Uint8Array): { readonly claim: SyncClaim } | { readonly reject: AbortReason } {
    const state = this.#state(namespace, peer);
    const running = state.claim?.origin;
    if (running !== undefined) {
      if (running.kind === 'accept') return { reject: 'already-syncing' };
      // Both dialed at once: the greater node id accepts, the other refuses and its own dial proceeds.
      if (compareBytes(this.#local, peer) <= 0) return { reject: 'already-syncing' };
    }
    const claim: SyncClaim = { namespace, peer, origin: { kind: 'accept' } };
    state.claim = claim;
    return { claim };
  }

  /**
   * Claims the pair for an outgoing sync, or returns undefined if a session is running. Then a `sync-report` or
   * `reconnect` request is remembered: {@link finish} of the running session reports it.
   */
  tryConnect(namespace: Uint8Array, peer: Uint8Array, reason: SyncReason): SyncClaim | undefined {
    const state = this.#state(namespace, peer);
    if (state.claim !== undefined) {
      if (reason === 'sync-report' || reason === 'reconnect') state.resyncRequested = true;
      return undefined;
    }
    const claim: SyncClaim = { namespace, peer, origin: { kind: 'connect', reason } };
    state.claim = claim;
    return claim;
  }

  /** Whether a session runs for the pair. */
  isRunning(namespace: Uint8Array, peer: Uint8Array): boolean {
    return this.#pairs.get(pairKey(namespace, peer))?.claim !== undefined;
  }

  /** Resolves once no session runs for the pair (at once if none does). */
  whenIdle(namespace: Uint8Array, peer: Uint8Array): Promise<void> {
    const state = this.#pairs.get(pairKey(namespace, peer));
    if (state?.claim === undefined) return Promise.resolve();
    return new Promise((resolve) => state.idleWaiters.push(resolve));
  }

  /**
   * Gives a claim back when its session ends, whatever the outcome; the pair is idle again unless the claim was
   * replaced meanwhile. Returns true if a resync was requested while it ran (the caller should sync again with
   * reason `resync`).
   */
  finish(claim: SyncClaim): boolean {
    const key = pairKey(claim.namespace, claim.peer);
    const state = this.#pairs.get(key);
    if (state === undefined || state.claim !== claim) return false;
    this.#pairs.delete(key);
    for (const wake of state.idleWaiters) wake();
    return state.resyncRequested;
  }

  /** Forgets every pair of a namespace (when the node leaves it); waiters are released. */
  forget(namespace: Uint8Array): void {
    const prefix = bytesToHex(namespace);
    for (const [key, state] of [...this.#pairs]) {
      if (!key.startsWith(prefix)) continue;
      this.#pairs.delete(key);
      for (const wake of state.idleWaiters) wake();
    }
  }

  #state(namespace: Uint8Array, peer: Uint8Array): PairState {
    const key = pairKey(namespace, peer);
    let state = this.#pairs.get(key);
    if (state === undefined) {
      state = { claim: undefined, resyncRequested: false, idleWaiters: [] };
      this.#pairs.set(key, state);
    }
    return state;
  }
}

function pairKey(namespace: Uint8Array, peer: Uint8Array): string {
  return bytesToHex(namespace) + bytesToHex(peer);
}
