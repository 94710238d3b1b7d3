import { AuthorHeads } from './heads.js';

/**
 * Counters of one sync session, updated by every `syncProcessMessage` call of that session (the reference's
 * `SyncOutcome`, plus the count of invalid entries).
 */
export interface SyncOutcome {
  /** Entries received in messages, valid or not, inserted or not. */
  entriesReceived: number;
  /** Entries sent in replies. */
  entriesSent: number;
  /**
   * Received entries that failed validation and were dropped. Entries of a peer's request under a key where the
   * replica holds an equal or newer entry are not validated (they cannot be inserted) and not counted here.
   */
  entriesInvalid: number;
  /** The newest timestamp per author among the valid received entries (of those validated, see `entriesInvalid`). */
  readonly headsReceived: AuthorHeads;
}

/** A fresh outcome with zero counts. */
export function createSyncOutcome(): SyncOutcome {
  return { entriesReceived: 0, entriesSent: 0, entriesInvalid: 0, headsReceived: new AuthorHeads() };
}
