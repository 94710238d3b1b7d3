import type { Range } from './range.js';

/**
 * One part of a reconciliation message, mirroring the reference's `MessagePart`:
 * - `fingerprint` (`RangeFingerprint`): the sender's fingerprint of `range`;
 * - `items` (`RangeItem`): the sender's items of `range`, each with an opaque status `S`
 *   (for iroh-docs the content status); `haveLocal: false` asks the receiver to answer with the
 *   items it has that the sender lacks, `haveLocal: true` is such an answer and ends the range.
 */
export type MessagePart<T, S> =
  | { readonly kind: 'fingerprint'; readonly range: Range; readonly fingerprint: Uint8Array }
  | {
      readonly kind: 'items';
      readonly range: Range;
      readonly values: ReadonlyArray<readonly [T, S]>;
      readonly haveLocal: boolean;
    };

/**
 * A reconciliation message: the reference's `ranger::Message { parts }`.
 */
export interface Message<T, S> {
  readonly parts: ReadonlyArray<MessagePart<T, S>>;
}

/**
 * How many values (items) a message carries, over all its parts.
 */
export function countMessageValues(message: Message<unknown, unknown>): number {
  let total = 0;
  for (const part of message.parts) {
    if (part.kind === 'items') total += part.values.length;
  }
  return total;
}
