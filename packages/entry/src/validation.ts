import { defaultEd25519, equalBytes, type Ed25519 } from '@docs/crypto';
import { hasConsistentEmptiness, nowMicros } from './record.js';
import { verifySignedEntries, type SignedEntry } from './signed-entry.js';

/**
 * How far in the future an entry's timestamp may be: 10 minutes, in microseconds. (The reference had 0.6 s
 * here until iroh-docs 0.99, a millisecond/microsecond mix-up.)
 */
export const MAX_TIMESTAMP_FUTURE_SHIFT = 600_000_000n;

/** Why an entry was refused. */
export const VALIDATION_FAILURE = {
  /** The entry belongs to another namespace. */
  invalidNamespace: 'invalid-namespace',
  /** A signature does not verify (strict rule), or an id is not a valid public key. */
  badSignature: 'bad-signature',
  /** The timestamp is more than {@link MAX_TIMESTAMP_FUTURE_SHIFT} ahead of now. */
  tooFarInTheFuture: 'too-far-in-the-future',
  /** The hash is the empty hash but the length is not 0, or the other way round. */
  invalidEmptyEntry: 'invalid-empty-entry',
} as const;

/** One of {@link VALIDATION_FAILURE}. */
export type ValidationFailure = (typeof VALIDATION_FAILURE)[keyof typeof VALIDATION_FAILURE];

/** What {@link validateEntry} checks against. */
export interface ValidationOptions {
  /** The namespace the entry must belong to. */
  readonly namespace: Uint8Array;
  /** Verify both signatures. True for remote entries; a local entry was just signed. */
  readonly verifySignatures: boolean;
  /** Apply the empty-entry rule (the reference applies it to entries pushed live, not to reconciliation). */
  readonly checkEmpty?: boolean;
  /** The current time in µs; defaults to {@link nowMicros}. */
  readonly now?: bigint;
  /** The Ed25519 implementation; defaults to the platform's fastest. */
  readonly ed25519?: Ed25519;
}

/**
 * Checks an entry in the reference's order (empty rule, namespace, signatures, future timestamp) and
 * returns the first failure, or `undefined` if the entry is valid. A timestamp exactly at now + shift is accepted;
 * there is no lower bound.
 */
export async function validateEntry(
  signed: SignedEntry,
  options: ValidationOptions,
): Promise<ValidationFailure | undefined> {
  const [failure] = await validateEntries([signed], options);
  return failure;
}

/**
 * {@link validateEntry} for many entries at once, with the same rules and order of checks per entry: the
 * signatures of the entries that pass the checks before them are verified in one `verifyMany` batch (in Node on
 * worker threads, so on every core).
 *
 * @returns the first failure of each entry, `undefined` for a valid one, in the order of `entries`
 */
export async function validateEntries(
  entries: readonly SignedEntry[],
  options: ValidationOptions,
): Promise<Array<ValidationFailure | undefined>> {
  const failures: Array<ValidationFailure | undefined> = entries.map(({ entry }) => {
    if (options.checkEmpty === true && !hasConsistentEmptiness(entry.record)) return VALIDATION_FAILURE.invalidEmptyEntry;
    if (!equalBytes(entry.id.namespace, options.namespace)) return VALIDATION_FAILURE.invalidNamespace;
    return undefined;
  });
  if (options.verifySignatures) {
    const unchecked = entries.filter((_, index) => failures[index] === undefined);
    const verdicts = await verifySignedEntries(unchecked, options.ed25519 ?? defaultEd25519());
    let next = 0;
    for (let index = 0; index < entries.length; index++) {
      if (failures[index] === undefined && !verdicts[next++]) failures[index] = VALIDATION_FAILURE.badSignature;
    }
  }
  const limit = (options.now ?? nowMicros()) + MAX_TIMESTAMP_FUTURE_SHIFT;
  for (let index = 0; index < entries.length; index++) {
    if (failures[index] === undefined && entries[index]!.entry.record.timestamp > limit) {
      failures[index] = VALIDATION_FAILURE.tooFarInTheFuture;
    }
  }
  return failures;
}
