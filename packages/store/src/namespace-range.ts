import { compareBytes, type NamespaceId } from '@docs/crypto';
import type { Range } from '@docs/rbsr';

/** A half-open key interval `[from, to)`; `to` undefined means "to the end of the key space". */
export interface KeyInterval {
  readonly from: Uint8Array;
  readonly to: Uint8Array | undefined;
}

/** The interval holding exactly the record identifiers of a namespace: `[ns, ns + 1)`. */
export function namespaceInterval(namespace: NamespaceId): KeyInterval {
  return { from: namespace, to: incrementBytes(namespace) };
}

/**
 * Clamps a reconciliation range to a namespace and returns the intervals to read, in the reference's iteration
 * order: `x == y` → the whole namespace; `x < y` → `[x, y)`; `x > y` (wrapping) → `[start, y)` then `[x, end)`.
 * Bounds a peer sends outside the namespace are cut to it, so no other namespace is ever read. Empty intervals
 * are dropped.
 */
export function clampRange(namespace: NamespaceId, range: Range): KeyInterval[] {
  const whole = namespaceInterval(namespace);
  const order = compareBytes(range.x, range.y);
  const pieces: KeyInterval[] =
    order === 0
      ? [whole]
      : order < 0
        ? [intersect(whole, range.x, range.y)]
        : [intersect(whole, undefined, range.y), intersect(whole, range.x, undefined)];
  return pieces.filter((piece) => piece.to === undefined || compareBytes(piece.from, piece.to) < 0);
}

function intersect(whole: KeyInterval, from: Uint8Array | undefined, to: Uint8Array | undefined): KeyInterval {
  const lower = from === undefined || compareBytes(from, whole.from) < 0 ? whole.from : from;
  const upper = to === undefined || (whole.to !== undefined && compareBytes(to, whole.to) > 0) ? whole.to : to;
  return { from: lower, to: upper };
}

/**
 * The smallest byte string greater than every string that starts with `bytes` (increment with carry, dropping
 * trailing 0xff bytes), or undefined if there is none (all bytes 0xff). Used as an exclusive upper bound for a
 * prefix.
 */
export function incrementBytes(bytes: Uint8Array): Uint8Array | undefined {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0xff) end--;
  if (end === 0) return undefined;
  const next = bytes.slice(0, end);
  next[end - 1]! += 1;
  return next;
}

/** The interval of keys starting with `prefix`: `[prefix, increment(prefix))`. */
export function prefixInterval(prefix: Uint8Array): KeyInterval {
  return { from: prefix, to: incrementBytes(prefix) };
}
