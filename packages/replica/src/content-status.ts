import type { SignedEntry } from '@docs/entry';

/**
 * Whether a peer holds the content (blob) an entry points to: `'complete'`, `'incomplete'` (partly downloaded) or
 * `'missing'`. On the wire it is the reference's `ContentStatus` enum (`Complete = 0`, `Incomplete = 1`,
 * `Missing = 2`); the transport codec maps it.
 */
export type ContentStatus = 'complete' | 'incomplete' | 'missing';

/** Reports the local content status of an entry's content hash; asked for every entry a replica sends in sync. */
export type ContentStatusCallback = (entry: SignedEntry) => ContentStatus | Promise<ContentStatus>;
