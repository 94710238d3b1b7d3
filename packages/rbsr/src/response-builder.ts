import { coverExcept, gapsBetweenRanges, GlueIndex, mergeAdjacentRanges } from './arcs.js';
import { compareKeys } from './bytes.js';
import type { MessagePart } from './message.js';
import { isWholeRange, type Range } from './range.js';
import type { RangeStore } from './range-store.js';
import type { MessageSizeModel } from './size-model.js';

/**
 * Collects the parts of one response and keeps it within the frame budget.
 *
 * Parts are answered in order until one does not fit; from then on every range that still needs
 * an answer is deferred (the engine keeps checking fingerprints, which cost nothing to answer when
 * equal). At the end the deferred ranges are answered with our fingerprints, so the peer compares
 * and asks again next round, in this order of preference:
 * 1. each deferred range as a part of its own: the peer answers each at the level where it stopped
 *    (a range of a few items comes back as items) instead of splitting a larger range again from
 *    the top, which would cost a round trip per split level;
 * 2. the same after withdrawing the fewest most recent answers (their ranges deferred whole), if
 *    the answers kept still take at least as many bytes as the deferral parts;
 * 3. runs of deferred ranges that touch, directly or through ranges whose fingerprints matched in
 *    this message (fewer, larger parts), as they are, then withdrawing answers as needed, keeping
 *    at least one;
 * 4. the same after withdrawing trailing parts and trimming the values of the one left.
 *
 * Only if that is not enough (a peer whose budget is much larger than ours) is one part sent over a
 * range covering all deferred ranges,
 * leaving out the gap with most of our items; it may span ranges already exchanged, whose values
 * can then be sent again. Room for that one part is reserved at all times, so a response never
 * exceeds the budget and never drops a range, whatever the peer sent.
 */
export class ResponseBuilder<T, S> {
  /** The parts so far (deferral parts are added by {@link finish}). */
  readonly parts: Array<MessagePart<T, S>> = [];
  private used: number;
  private readonly sizes: MessageSizeModel<T, S>;
  private readonly budget: number;
  private readonly keyOf: (item: T) => Uint8Array;
  private readonly deferred: Range[] = [];
  /** Ranges whose fingerprints matched: deferral runs may span them (no values were ever sent there). */
  private readonly matched: Range[] = [];
  /** Longest key that may end a deferral range, bounding the reserved cover part. */
  private keyBound = 0;
  private coverCostCache: { keyBound: number; cost: number } = { keyBound: -1, cost: 0 };
  /** Answers that {@link finish} may withdraw, most recent last. */
  private readonly withdrawable: Withdrawable[] = [];

  /**
   * @param sizes - how parts are sized
   * @param budget - the frame budget in bytes (`Infinity` for none)
   * @param keyOf - the key of an item (to trim an items part)
   */
  constructor(sizes: MessageSizeModel<T, S>, budget: number, keyOf: (item: T) => Uint8Array) {
    this.sizes = sizes;
    this.budget = budget;
    this.keyOf = keyOf;
    this.used = sizes.messageOverhead;
  }

  /** Whether the budget is finite (otherwise every check passes). */
  get limited(): boolean {
    return this.budget !== Number.POSITIVE_INFINITY;
  }

  /** Whether something was deferred: every later range that needs an answer is deferred too. */
  get deferring(): boolean {
    return this.deferred.length > 0;
  }

  /** Whether nothing but deferral parts would be sent (no progress). */
  get onlyDeferred(): boolean {
    return this.parts.length === 0 && this.deferred.length > 0;
  }

  /** Registers the keys of an incoming range, which may end up bounding a deferral part. */
  noteRange(range: Range): void {
    this.keyBound = Math.max(this.keyBound, range.x.length, range.y.length);
  }

  /**
   * Whether `bytes` more fit while keeping room for the deferral part, where `remainder` is what
   * would be left of the current range (its keys may bound the deferral part).
   */
  fits(bytes: number, remainder?: Range): boolean {
    if (!this.limited) return true;
    const keyBound = remainder === undefined ? this.keyBound : Math.max(this.keyBound, remainder.x.length, remainder.y.length);
    return this.used + bytes + this.coverCost(keyBound) <= this.budget;
  }

  /** Whether `bytes` more could never fit, whatever is reserved. */
  overflows(bytes: number): boolean {
    return this.used + bytes > this.budget;
  }

  /** Adds a part of `bytes` bytes (the caller checked {@link fits}). */
  push(part: MessagePart<T, S>, bytes: number): void {
    this.parts.push(part);
    this.used += bytes;
  }

  /** The state before answering an incoming range whose answer may be withdrawn. */
  checkpoint(): Checkpoint {
    return { partsLength: this.parts.length, used: this.used, deferredLength: this.deferred.length };
  }

  /**
   * Marks the parts added since `checkpoint` as the withdrawable answer to `range`. Withdrawing
   * the answer to a fingerprint has no side effect; withdrawing a diff defers an item request
   * whose values were already stored, so the peer may send them again.
   */
  answered(range: Range, checkpoint: Checkpoint): void {
    if (this.parts.length > checkpoint.partsLength) {
      this.withdrawable.push({ ...checkpoint, range, deferredEnd: this.deferred.length });
    }
  }

  /** Records an incoming range whose fingerprint equals ours. */
  matchedRange(range: Range): void {
    this.matched.push(range);
  }

  /** Defers `range`: it will be answered with our fingerprint of it (or of a range covering it). */
  defer(range: Range): void {
    this.deferred.push(range);
    this.noteRange(range);
  }

  /** Adds the deferral parts (see the class comment). */
  async finish(store: RangeStore<T>): Promise<void> {
    if (this.deferred.length === 0) return;
    let ranges = separately(this.deferred);
    if (this.limited && !this.fitsAll(ranges)) {
      const glue = new GlueIndex(this.matched);
      const joined = (deferred: Range[]): Range[] => mergeAdjacentRanges(deferred, glue);
      ranges =
        this.withdrawForSeparateParts() ??
        this.ifTheyFit(joined(this.deferred)) ??
        this.withdrawUntilRunsFit(joined) ??
        this.trimUntilRunsFit(glue) ??
        [await this.coverOfDeferred(store)];
    }
    for (const range of ranges) {
      const fingerprint = await store.fingerprint(range);
      this.parts.push({ kind: 'fingerprint', range, fingerprint });
      this.used += this.sizes.fingerprintPart(range);
    }
  }

  /** `ranges`, if their deferral parts fit as things are. */
  private ifTheyFit(ranges: Range[]): Range[] | undefined {
    return this.fitsAll(ranges) ? ranges : undefined;
  }

  /**
   * Withdraws the fewest most recent answers that make a part of its own for each deferred range fit, if the answers
   * kept still take at least as many bytes as those parts, and returns their ranges; otherwise changes nothing and
   * returns `undefined`. The trade: a message may carry up to half fewer answer bytes than with joined runs, whose
   * parts are fewer, but the peer answers each deferred range where it stopped instead of splitting a joined run
   * again from the top, one round trip per level (the package README measures it). Past half, a message of mostly
   * deferrals would make too little progress, and runs are joined instead.
   */
  private withdrawForSeparateParts(): Range[] | undefined {
    const plan = this.planWithdrawal(separately);
    if (plan?.runs === undefined) return undefined;
    const keptBytes = (this.withdrawable[plan.index] as Withdrawable).used - this.sizes.messageOverhead;
    if (this.runsCost(plan.runs) > keptBytes) return undefined;
    this.withdraw(plan);
    return plan.runs;
  }

  /**
   * Withdraws the fewest most recent answers that make the deferral parts (the deferred ranges, as `join` joins them)
   * fit, keeping at least one part, and returns their ranges; when none does, withdraws all it may and returns
   * `undefined`.
   */
  private withdrawUntilRunsFit(join: (deferred: Range[]) => Range[]): Range[] | undefined {
    const plan = this.planWithdrawal(join);
    if (plan !== undefined) this.withdraw(plan);
    return plan?.runs;
  }

  /**
   * The fewest most recent answers to withdraw (those from `index` on, keeping at least one part) so that the parts
   * for `join(deferred)` fit, with the ranges then deferred and the parts' ranges; or, when none does, all that may
   * be withdrawn, without `runs`; `undefined` when nothing may be withdrawn.
   * Answers come in order, so withdrawing the `j` most recent truncates `parts` at the first of
   * them and swaps each one's slice of `deferred` for its whole range. Freeing answers only lowers
   * the bytes used while the runs can grow by at most one per answer, so whether the runs fit is
   * (close to) monotone in `j`: binary search, each probe O(P log P).
   */
  private planWithdrawal(join: (deferred: Range[]) => Range[]): Withdrawal | undefined {
    const entries = this.withdrawable;
    const deferredIfWithdrawn = (from: number): Range[] => {
      const first = entries[from] as Withdrawable;
      const result = this.deferred.slice(0, first.deferredLength);
      for (let i = from; i < entries.length; i++) {
        const entry = entries[i] as Withdrawable;
        const nextStart = entries[i + 1]?.deferredLength ?? this.deferred.length;
        result.push(entry.range);
        for (let d = entry.deferredEnd; d < nextStart; d++) result.push(this.deferred[d] as Range);
      }
      return result;
    };
    // Withdrawing entries[i..] leaves entries[i].partsLength parts, which must not be zero.
    let low = 0;
    while (low < entries.length && (entries[low] as Withdrawable).partsLength === 0) low++;
    let high = entries.length;
    let best: Withdrawal | undefined;
    // The largest index i (fewest withdrawn) such that withdrawing entries[i..] fits.
    while (low < high) {
      const middle = (low + high) >>> 1;
      const deferred = deferredIfWithdrawn(middle);
      const runs = join(deferred);
      if ((entries[middle] as Withdrawable).used + this.runsCost(runs) <= this.budget) {
        best = { index: middle, deferred, runs };
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    if (best !== undefined) return best;
    return low < entries.length ? { index: low, deferred: deferredIfWithdrawn(low) } : undefined;
  }

  /** Withdraws the answers of `plan`. */
  private withdraw(plan: Withdrawal): void {
    const entries = this.withdrawable;
    const from = entries[plan.index] as Withdrawable;
    this.deferred.length = 0;
    for (const range of plan.deferred) this.deferred.push(range);
    this.parts.length = from.partsLength;
    this.used = from.used;
    entries.length = plan.index;
  }

  /**
   * Once whole answers cannot be withdrawn any further: withdraws trailing parts (deferring their
   * ranges), then trims the values of the one part left if it is an items part, keeping a prefix
   * in circular order from its `x` and deferring the rest, so that the deferral runs fit.
   * Binary searches as in {@link planWithdrawal}.
   *
   * @returns the runs, or `undefined` (with one part left) when even that does not fit
   */
  private trimUntilRunsFit(glue: GlueIndex): Range[] | undefined {
    const parts = this.parts;
    const partBytes = parts.map((part) => this.partSize(part));
    const usedWith = (kept: number): number => this.used - partBytes.slice(kept).reduce((total, bytes) => total + bytes, 0);
    const runsWith = (kept: number): Range[] =>
      mergeAdjacentRanges([...this.deferred, ...parts.slice(kept).map((part) => part.range)], glue);
    let low = 1;
    let high = parts.length;
    let best: { kept: number; runs: Range[] } | undefined;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const runs = runsWith(middle);
      if (usedWith(middle) + this.runsCost(runs) <= this.budget) {
        best = { kept: middle, runs };
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    const kept = best?.kept ?? 1;
    for (const part of parts.slice(kept)) this.deferred.push(part.range);
    this.used = usedWith(kept);
    parts.length = kept;
    if (best !== undefined) return best.runs;
    const last = parts[0];
    return last?.kind === 'items' ? this.trimValuesUntilRunsFit(last, glue) : undefined;
  }

  /** Trims the values of `part` (the only part left), see {@link trimUntilRunsFit}. */
  private trimValuesUntilRunsFit(part: Extract<MessagePart<T, S>, { kind: 'items' }>, glue: GlueIndex): Range[] | undefined {
    const { x, y } = part.range;
    const keyOf = this.keyOf;
    const fromX = part.values.filter(([item]) => compareKeys(keyOf(item), x) >= 0);
    const beforeX = part.values.filter(([item]) => compareKeys(keyOf(item), x) < 0);
    const circular = [...fromX, ...beforeX];
    const trimmed = (count: number) => {
      const end = keyOf((circular[count] as readonly [T, S])[0]);
      const range: Range = { x, y: end };
      const values = circular.slice(0, count);
      // A wrapping sub-range iterates the keys below `x` first.
      const ordered =
        compareKeys(x, end) > 0
          ? [...values.filter(([item]) => compareKeys(keyOf(item), x) < 0), ...values.filter(([item]) => compareKeys(keyOf(item), x) >= 0)]
          : values;
      const trimmedPart: MessagePart<T, S> = { kind: 'items', range, values: ordered, haveLocal: part.haveLocal };
      const runs = mergeAdjacentRanges([...this.deferred, { x: end, y }], glue);
      return { part: trimmedPart, runs, remainder: { x: end, y }, bytes: this.partSize(trimmedPart) };
    };
    const base = this.used - this.partSize(part);
    let low = 1;
    let high = circular.length;
    let best: ReturnType<typeof trimmed> | undefined;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const candidate = trimmed(middle);
      if (base + candidate.bytes + this.runsCost(candidate.runs) <= this.budget) {
        best = candidate;
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    if (best === undefined) return undefined;
    this.parts[0] = best.part;
    this.used = base + best.bytes;
    this.deferred.push(best.remainder);
    return best.runs;
  }

  /** The size of a part under the size model. */
  private partSize(part: MessagePart<T, S>): number {
    if (part.kind === 'fingerprint') return this.sizes.fingerprintPart(part.range);
    let bytes = this.sizes.itemsPart(part.range, part.values.length);
    for (const [item, status] of part.values) bytes += this.sizes.value(item, status);
    return bytes;
  }

  /** One range covering every deferred range, leaving out the gap holding most of our items. */
  private async coverOfDeferred(store: RangeStore<T>): Promise<Range> {
    let widest: { gap: Range; count: number } | undefined;
    for (const gap of gapsBetweenRanges(this.deferred)) {
      const count = await store.count(gap);
      if (widest === undefined || count > widest.count) widest = { gap, count };
    }
    return coverExcept(this.deferred, widest?.gap);
  }

  private fitsAll(ranges: readonly Range[]): boolean {
    return this.used + this.runsCost(ranges) <= this.budget;
  }

  private runsCost(ranges: readonly Range[]): number {
    let total = 0;
    for (const range of ranges) total += this.sizes.fingerprintPart(range);
    return total;
  }

  private coverCost(keyBound: number): number {
    if (this.coverCostCache.keyBound !== keyBound) {
      const key = new Uint8Array(keyBound);
      this.coverCostCache = { keyBound, cost: this.sizes.fingerprintPart({ x: key, y: key }) };
    }
    return this.coverCostCache.cost;
  }
}

/** Deferred ranges as parts of their own (one whole-set part if one is the whole set). */
function separately(deferred: Range[]): Range[] {
  const whole = deferred.find(isWholeRange);
  return whole === undefined ? [...deferred] : [whole];
}

/** What {@link ResponseBuilder.checkpoint} records. */
export interface Checkpoint {
  readonly partsLength: number;
  readonly used: number;
  readonly deferredLength: number;
}

/** Withdrawing the answers from `index` on: the ranges then deferred, and the deferral parts' ranges if they fit. */
interface Withdrawal {
  readonly index: number;
  readonly deferred: Range[];
  readonly runs?: Range[];
}

/** An answer {@link ResponseBuilder.finish} may withdraw: the state before it, its range and where its deferrals end. */
interface Withdrawable extends Checkpoint {
  readonly range: Range;
  readonly deferredEnd: number;
}
