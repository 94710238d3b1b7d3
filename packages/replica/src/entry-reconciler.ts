import {
  EMPTY_FINGERPRINT,
  compareRecords,
  encodedSignedEntrySize,
  entryFingerprint,
  type SignedEntry,
} from '@docs/entry';
import { Reconciler, type RangeItemTraits, type RangeStore, type ReconcilerOptions } from '@docs/rbsr';
import type { ContentStatus } from './content-status.js';

/**
 * Reconciliation settings of a replica: the split settings (`SYNC_MODES.tuned` of `@docs/rbsr` by default; pass
 * `SYNC_MODES.compat` for the reference's exact message traces), the frame budget of a reply (default 4 MiB) and
 * limits on incoming messages. Peers with different settings interoperate.
 */
export type SyncSettings = Omit<ReconcilerOptions<SignedEntry, ContentStatus>, 'emptyFingerprint'>;

/** How the reconciliation engine reads signed entries: keyed by record identifier, valued by record. */
export const SIGNED_ENTRY_TRAITS: RangeItemTraits<SignedEntry> = {
  key: (signed) => signed.entry.id.bytes,
  compareValues: (a, b) => compareRecords(a.entry.record, b.entry.record),
  fingerprint: (signed) => entryFingerprint(signed.entry),
  encodedSize: encodedSignedEntrySize,
};

/** A reconciler over a namespace's entries (one per message exchange step; it holds no session state). */
export function createEntryReconciler(
  ranges: RangeStore<SignedEntry>,
  settings: SyncSettings = {},
): Reconciler<SignedEntry, ContentStatus> {
  return new Reconciler(ranges, SIGNED_ENTRY_TRAITS, { ...settings, emptyFingerprint: EMPTY_FINGERPRINT });
}
