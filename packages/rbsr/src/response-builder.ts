import { bytesEqual, compareKeys } from './bytes.js';
import type { MessagePart } from './message.js';
import { isWholeRange, type Range } from './range.js';
import type { RangeStore } from './range-store.js';
import type { MessageSizeModel } from './size-model.js';

/**
 * Collects the parts of one response and keeps it within the frame budget.
 *
 * Whatever does not fit is deferred: at the end each deferred range is answered with our
 * fingerprint of it, so the peer compares and asks again next round. Room for those deferral
 * parts is reserved at all times (`used + reserve <= budget`), so a response never exceeds the
 * budget and never drops a range. The reserve is the cost of echoing every range that may still
 * be deferred, capped by the cost of one fingerprint part over their hull (the fallback when the
 * echoes would not fit).
 */
export class ResponseBuilder<T, S> {
  /** The parts so far (deferral parts are added by {@link finish}). */
  readonly parts: Array<MessagePart<T, S>> = [];
  /** How many parts carry progress (anything but a deferral fingerprint). */
  progressParts = 0;
  private used: number;
  private readonly sizes: MessageSizeModel<T, S>;
  private readonly budget: number;
  private readonly deferred: Range[] = [];
  /** Echo cost of the ranges still to be processed. */
  private pendingEcho = 0;
  /** Echo cost of the ranges deferred so far. */
  private deferredEcho = 0;
  /** Longest key among pending and deferred ranges, bounding the hull's keys. */
  private keyBound = 0;
  private hullCostCache: { keyBound: number; cost: number } = { keyBound: -1, cost: 0 };

  constructor(sizes: MessageSizeModel<T, S>, budget: number) {
    this.sizes = sizes;
    this.budget = budget;
    this.used = sizes.messageOverhead;
  }

  /** Whether the budget is finite (otherwise every check passes). */
  get limited(): boolean {
    return this.budget !== Number.POSITIVE_INFINITY;
  }

  /** Whether some ranges were deferred. */
  get hasDeferred(): boolean {
    return this.deferred.length > 0;
  }

  /** Registers an incoming range that will need an answer, before processing starts. */
  expect(range: Range): void {
    if (!this.limited) return;
    this.pendingEcho += this.sizes.fingerprintPart(range);
    this.keyBound = Math.max(this.keyBound, range.x.length, range.y.length);
  }

  /** Marks an expected range as being processed now: its answer is the caller's to fit. */
  begin(range: Range): void {
    if (!this.limited) return;
    this.pendingEcho -= this.sizes.fingerprintPart(range);
  }

  /**
   * Whether `bytes` more can be added while keeping room for the deferral parts, counting
   * `remainder` (the part of the current range left after these bytes) as deferred.
   */
  fits(bytes: number, remainder?: Range): boolean {
    if (!this.limited) return true;
    let echo = this.pendingEcho + this.deferredEcho;
    let keyBound = this.keyBound;
    if (remainder !== undefined) {
      echo += this.sizes.fingerprintPart(remainder);
      keyBound = Math.max(keyBound, remainder.x.length, remainder.y.length);
    }
    return this.used + bytes + Math.min(echo, this.hullCost(keyBound)) <= this.budget;
  }

  /** Whether `bytes` more could never fit, whatever is reserved. */
  overflows(bytes: number): boolean {
    return this.used + bytes > this.budget;
  }

  /** Adds a part of `bytes` bytes (the caller checked {@link fits}). */
  push(part: MessagePart<T, S>, bytes: number): void {
    this.parts.push(part);
    this.used += bytes;
    this.progressParts++;
  }

  /** Defers `range`: it will be answered with our fingerprint of it. */
  defer(range: Range): void {
    this.deferred.push(range);
    if (!this.limited) return;
    this.deferredEcho += this.sizes.fingerprintPart(range);
    this.keyBound = Math.max(this.keyBound, range.x.length, range.y.length);
  }

  /**
   * Adds the deferral parts: the deferred ranges merged where adjacent, each with our current
   * fingerprint, or one part over their hull when those would not fit.
   */
  async finish(store: RangeStore<T>): Promise<void> {
    if (this.deferred.length === 0) return;
    let runs = mergeAdjacentRanges(this.deferred);
    if (this.limited) {
      let total = 0;
      for (const run of runs) total += this.sizes.fingerprintPart(run);
      if (this.used + total > this.budget) runs = [hullOfRuns(runs)];
    }
    for (const range of runs) {
      const fingerprint = await store.fingerprint(range);
      this.parts.push({ kind: 'fingerprint', range, fingerprint });
      this.used += this.sizes.fingerprintPart(range);
    }
  }

  private hullCost(keyBound: number): number {
    if (this.hullCostCache.keyBound !== keyBound) {
      const key = new Uint8Array(keyBound);
      this.hullCostCache = { keyBound, cost: this.sizes.fingerprintPart({ x: key, y: key }) };
    }
    return this.hullCostCache.cost;
  }
}

/**
 * Merges ranges that touch (`a.y == b.x`) into runs, sorted by start; a run that ends where the
 * first starts wraps around into it. A whole-set range absorbs everything.
 */
export function mergeAdjacentRanges(ranges: readonly Range[]): Range[] {
  const whole = ranges.find(isWholeRange);
  if (whole !== undefined) return [whole];
  const sorted = [...ranges].sort((a, b) => compareKeys(a.x, b.x));
  const runs: Range[] = [];
  for (const range of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && bytesEqual(last.y, range.x)) {
      runs[runs.length - 1] = { x: last.x, y: range.y };
    } else {
      runs.push(range);
    }
  }
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (runs.length > 1 && first !== undefined && last !== undefined && bytesEqual(last.y, first.x)) {
    runs[0] = { x: last.x, y: first.y };
    runs.pop();
  }
  const merged = runs.find(isWholeRange);
  return merged === undefined ? runs : [merged];
}

/**
 * One range covering sorted, non-overlapping runs: from the first start to the last end
 * (wrapping when the last run wraps or the first run is the wrapped one).
 */
export function hullOfRuns(runs: readonly Range[]): Range {
  const first = runs[0];
  const last = runs[runs.length - 1];
  if (first === undefined || last === undefined) throw new RangeError('hullOfRuns: no runs');
  return { x: first.x, y: last.y };
}
