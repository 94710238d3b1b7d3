import { bytesToHex, compareBytes } from '@docs/crypto';
import type { AbortReason } from '../codec.js';

/** Why a sync with a peer was started (the reference's `SyncReason`, plus a manual request). */
export type SyncReason = 'direct-join' | 'new-neighbor' | 'sync-report' | 'resync' | 'reconnect' | 'manual';

/** Which side of a session this node was. */
export type SyncOrigin = { readonly kind: 'connect'; readonly reason: SyncReason } | { readonly kind: 'accept' };

interface PairState {
  running: SyncOrigin | undefined;
  resyncRequested: boolean;
}

/**
 * Who syncs with whom right now, per (namespace, peer): at most one session per pair, decided the reference's
 * way — an incoming request while idle is allowed; while we accept one already it is refused; while we dial the
 * same peer, the node with the greater id accepts and the other refuses (`AlreadySyncing`).
 *
 * Unlike the reference (issue #111), every session end — success, error, or a remote `AlreadySyncing` abort —
 * returns the pair to idle, so no pair can stay "running" forever; a request that arrived while busy is
 * remembered and reported by {@link SyncStates.finish} so the caller can sync again.
 */
export class SyncStates {
  readonly #local: Uint8Array;
  readonly #pairs = new Map<string, PairState>();

  constructor(localPeer: Uint8Array) {
    this.#local = localPeer;
  }

  /** Decides an incoming sync request: undefined to allow (the pair is then running as acceptor), else the reason. */
  accept(namespace: Uint8Array, peer: Uint8Array): AbortReason | undefined {
    const state = this.#state(namespace, peer);
    if (state.running !== undefined) {
      if (state.running.kind === 'accept') return 'already-syncing';
      // Both dialed at once: the greater node id accepts, the other refuses; its own dial proceeds.
      if (compareBytes(this.#local, peer) <= 0) return 'already-syncing';
    }
    state.running = { kind: 'accept' };
    return undefined;
  }

  /**
   * Claims the pair for an outgoing sync. False if a session is already running (then a `sync-report` asks for a
   * resync when that session ends).
   */
  tryConnect(namespace: Uint8Array, peer: Uint8Array, reason: SyncReason): boolean {
    const state = this.#state(namespace, peer);
    if (state.running !== undefined) {
      if (reason === 'sync-report' || reason === 'reconnect') state.resyncRequested = true;
      return false;
    }
    state.running = { kind: 'connect', reason };
    return true;
  }

  /** Whether a session is running for the pair. */
  isRunning(namespace: Uint8Array, peer: Uint8Array): boolean {
    return this.#pairs.get(pairKey(namespace, peer))?.running !== undefined;
  }

  /**
   * Ends the pair's session, whatever its outcome. Returns true if a resync was requested meanwhile (the caller
   * should dial again with reason `resync`).
   */
  finish(namespace: Uint8Array, peer: Uint8Array, origin: SyncOrigin): boolean {
    const key = pairKey(namespace, peer);
    const state = this.#pairs.get(key);
    if (state === undefined || state.running === undefined) return false;
    // A finished acceptor session must not release a dial that replaced it, and the other way round.
    if (state.running.kind !== origin.kind) return false;
    const resync = state.resyncRequested;
    this.#pairs.delete(key);
    return resync;
  }

  /** Forgets every pair of a namespace (when the node leaves it). */
  forget(namespace: Uint8Array): void {
    const prefix = bytesToHex(namespace);
    for (const key of [...this.#pairs.keys()]) if (key.startsWith(prefix)) this.#pairs.delete(key);
  }

  #state(namespace: Uint8Array, peer: Uint8Array): PairState {
    const key = pairKey(namespace, peer);
    let state = this.#pairs.get(key);
    if (state === undefined) {
      state = { running: undefined, resyncRequested: false };
      this.#pairs.set(key, state);
    }
    return state;
  }
}

function pairKey(namespace: Uint8Array, peer: Uint8Array): string {
  return bytesToHex(namespace) + bytesToHex(peer);
}
