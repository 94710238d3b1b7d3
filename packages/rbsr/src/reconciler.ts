import { bytesEqual, compareKeys } from './bytes.js';
import { BytesMap } from './bytes-map.js';
import { RBSR_ERROR_CODES, RbsrError } from './errors.js';
import type { Message, MessagePart } from './message.js';
import { circularSegments, EMPTY_KEY, isWholeRange, rangeContains, type Range } from './range.js';
import type { RangeStore } from './range-store.js';
import { splitByIndex } from './split-by-index.js';
import { ResponseBuilder } from './response-builder.js';
import { createPostcardSizeModel, type MessageSizeModel } from './size-model.js';
import type { RangeItemTraits } from './traits.js';

/** Fingerprint parts a message needs before {@link RangeStore.expectRangeReads} is called: fewer cost little. */
const ANNOUNCE_MIN_PARTS = 8;

/** Fingerprint parts of a message compared to estimate {@link RangeStore.expectRangeReads}, at most. */
const SWEEP_SAMPLE = 16;

/** Items read to estimate the size of a value, at most (see `valueBytesIfOverflowing`). */
const VALUE_SIZE_SAMPLE = 32;

/**
 * Ranges of at most this many items per sub-range are split from their summaries, where the
 * store has them (see `splitFromSummaries`): one read of a few keys and fingerprints instead of three range
 * operations per sub-range.
 */
const SUMMARY_SPLIT_ITEMS_PER_PART = 8;

/**
 * How a side splits and when it sends items. The receiver of a message decides by its own
 * settings, so peers with different settings interoperate.
 */
export interface SplitSettings {
  /** Into how many sub-ranges a mismatched range is split (at least 2; never more than it has items). */
  readonly splitFactor: number;
  /** A sub-range holding at most this many of our items is sent as items instead of a fingerprint. */
  readonly maxSetSize: number;
  /**
   * A mismatched fingerprint is answered with our items (instead of a split) when we hold at most
   * this many items in its range (at least 1). The reference hard-codes 1.
   */
  readonly maxReplySetSize: number;
}

/**
 * The two settings this package ships:
 * - `compat`: the reference's (`split_factor 2, max_set_size 1`, items answer at 1 item); it
 *   reproduces the reference's message traces exactly;
 * - `tuned`: few round trips for large sets, chosen by measurement (see the README).
 */
export const SYNC_MODES = {
  compat: { splitFactor: 2, maxSetSize: 1, maxReplySetSize: 1 },
  tuned: { splitFactor: 16, maxSetSize: 0, maxReplySetSize: 32 },
} as const satisfies Record<string, SplitSettings>;

/** The default frame budget: 4 MiB. */
export const DEFAULT_FRAME_BUDGET: number = 4 * 1024 * 1024;

/**
 * Options of a {@link Reconciler}.
 */
export interface ReconcilerOptions<T, S> extends Partial<SplitSettings> {
  /** The fingerprint of the empty set (for iroh-docs BLAKE3 of no bytes); the engine hashes nothing itself. */
  readonly emptyFingerprint: Uint8Array;
  /**
   * The largest response in bytes, as measured by `sizeModel` (default 4 MiB; `Infinity` for no limit).
   * Ranges whose answer does not fit are answered with a fingerprint, and the peer asks again.
   */
  readonly frameBudget?: number;
  /** How parts are sized (default: the iroh-docs postcard layout with `traits.encodedSize` and 1-byte statuses). */
  readonly sizeModel?: MessageSizeModel<T, S>;
  /** Incoming messages with more parts are refused with `DOCS_RBSR_MESSAGE_TOO_LARGE` (default no limit). */
  readonly maxIncomingParts?: number;
  /** Incoming messages with more values in total are refused with `DOCS_RBSR_MESSAGE_TOO_LARGE` (default no limit). */
  readonly maxIncomingValues?: number;
}

/**
 * What {@link Reconciler.processMessage} calls back into.
 */
export interface ReconcileCallbacks<T, S> {
  /**
   * Takes the peer's items of one message: those inside their part's range, in message order, each with the
   * sender's status. Called once per message that holds any, after every items part was answered (so the diffs
   * are computed against the set as it was before the message) and before the fingerprint parts are answered
   * (so they see what was stored). Validate the items (for iroh-docs: signatures, namespace, timestamp) and store
   * the valid ones by the insert rule (for iroh-docs newer-wins and prefix deletion) — in one batch, if the store
   * has one.
   *
   * The items of a request (`haveLocal: false`) under a key where the local set holds a value at least as new (by
   * `traits.compareValues`) are left out: they were found while computing the diff, and under a rule where an equal
   * or newer value at the same key refuses an item (newer-wins) they cannot be inserted. Items of a final answer
   * and of repeated ranges are all passed on.
   */
  receive(items: ReadonlyArray<readonly [T, S]>): void | Promise<void>;
  /**
   * The status sent with each outgoing item (for iroh-docs: the local content status); also asked for a few items
   * whose size estimates an answer's under a frame budget.
   */
  contentStatus(item: T): S | Promise<S>;
}

type ItemsPart<T, S> = Extract<MessagePart<T, S>, { kind: 'items' }>;
type FingerprintPart<T, S> = Extract<MessagePart<T, S>, { kind: 'fingerprint' }>;

/** A sub-range of a split, with our count and fingerprint of it where the split found them. */
interface SubRange {
  readonly range: Range;
  readonly count?: number;
  readonly fingerprint?: Uint8Array;
}

/** What {@link Reconciler} does with the items of a range it answers. */
interface ItemsAnswer<T> {
  /** `false` for a reply that asks the peer for its items, `true` for the diff that ends a range. */
  readonly haveLocal: boolean;
  /**
   * The peer's items by key, for a diff: ours are skipped where the peer's value is at least as new, and keys
   * where ours is at least as new as the peer's are removed (nothing of the peer's to store there).
   */
  readonly theirs?: BytesMap<T>;
  /** Where the rest of the current incoming range ends (later sub-ranges of a split follow this one). */
  readonly outerEnd: Uint8Array;
  /** What to defer when nothing of this range fits. */
  readonly deferAll: Range;
}

/**
 * Range-based set reconciliation over a {@link RangeStore}, message-compatible with iroh-docs'
 * `ranger` (see the package README for the protocol, the modes and the frame budget).
 *
 * One instance serves one side of one exchange; `processMessage` calls must not overlap.
 */
export class Reconciler<T, S> {
  private readonly store: RangeStore<T>;
  private readonly traits: RangeItemTraits<T>;
  private readonly settings: SplitSettings;
  private readonly emptyFingerprint: Uint8Array;
  private readonly frameBudget: number;
  private readonly sizes: MessageSizeModel<T, S>;
  private readonly maxIncomingParts: number;
  private readonly maxIncomingValues: number;

  /**
   * @param store - the local set
   * @param traits - how to read items
   * @param options - the empty fingerprint, the split settings (default {@link SYNC_MODES}.tuned), the frame budget and limits
   * @throws RangeError for invalid settings, TypeError for a missing size function
   */
  constructor(store: RangeStore<T>, traits: RangeItemTraits<T>, options: ReconcilerOptions<T, S>) {
    if (!(options.emptyFingerprint instanceof Uint8Array) || options.emptyFingerprint.length !== 32) {
      throw new TypeError('Reconciler: emptyFingerprint must be a 32-byte Uint8Array');
    }
    const settings: SplitSettings = {
      splitFactor: options.splitFactor ?? SYNC_MODES.tuned.splitFactor,
      maxSetSize: options.maxSetSize ?? SYNC_MODES.tuned.maxSetSize,
      maxReplySetSize: options.maxReplySetSize ?? SYNC_MODES.tuned.maxReplySetSize,
    };
    requireInteger('splitFactor', settings.splitFactor, 2);
    requireInteger('maxSetSize', settings.maxSetSize, 0);
    requireInteger('maxReplySetSize', settings.maxReplySetSize, 1);
    const frameBudget = options.frameBudget ?? DEFAULT_FRAME_BUDGET;
    if (!(frameBudget > 0)) throw new RangeError(`Reconciler: frameBudget must be positive, got ${frameBudget}`);
    const maxIncomingParts = options.maxIncomingParts ?? Number.POSITIVE_INFINITY;
    const maxIncomingValues = options.maxIncomingValues ?? Number.POSITIVE_INFINITY;
    if (!(maxIncomingParts >= 0) || !(maxIncomingValues >= 0)) {
      throw new RangeError('Reconciler: maxIncomingParts and maxIncomingValues must not be negative');
    }
    let sizes = options.sizeModel;
    if (sizes === undefined) {
      const encodedSize = traits.encodedSize?.bind(traits);
      if (encodedSize === undefined && frameBudget !== Number.POSITIVE_INFINITY) {
        throw new TypeError('Reconciler: a finite frameBudget needs traits.encodedSize or options.sizeModel');
      }
      sizes = createPostcardSizeModel<T, S>(encodedSize ?? (() => 0));
    }
    this.store = store;
    this.traits = traits;
    this.settings = settings;
    this.emptyFingerprint = options.emptyFingerprint.slice();
    this.frameBudget = frameBudget;
    this.sizes = sizes;
    this.maxIncomingParts = maxIncomingParts;
    this.maxIncomingValues = maxIncomingValues;
  }

  /**
   * The initiator's first message: our fingerprint of the whole set, as the range
   * `(firstKey, firstKey)` (the reference's `Message::init`).
   */
  async initialMessage(): Promise<Message<T, S>> {
    const first = await this.store.firstKey();
    const range: Range = { x: first, y: first };
    return { parts: [{ kind: 'fingerprint', range, fingerprint: await this.store.fingerprint(range) }] };
  }

  /**
   * Processes a message from the peer and returns the answer, or `undefined` when there is
   * nothing to send (the exchange is over on this side).
   *
   * As in the reference, all item parts are handled first, in order (each diff against our items
   * as they were before the message), then the received values go to `callbacks.receive` in one
   * call, then the fingerprint parts are answered, seeing the stored values. Nothing the peer
   * sends is trusted: received values outside their part's range are ignored, repeated ranges are
   * answered once, and the answer never exceeds the frame budget.
   *
   * @throws RbsrError `DOCS_RBSR_MESSAGE_TOO_LARGE` above the incoming limits, `DOCS_RBSR_INVALID_MESSAGE`
   *   for malformed parts, `DOCS_RBSR_FRAME_BUDGET_TOO_SMALL` when no answer fits the budget
   */
  async processMessage(
    message: Message<T, S>,
    callbacks: ReconcileCallbacks<T, S>,
  ): Promise<Message<T, S> | undefined> {
    this.checkIncoming(message);
    const response = new ResponseBuilder<T, S>(this.sizes, this.frameBudget, (item) => this.traits.key(item));
    const itemParts: Array<ItemsPart<T, S>> = [];
    const fingerprintParts: Array<FingerprintPart<T, S>> = [];
    // Ranges seen so far, by kind then x then y.
    const seen = { items: new BytesMap<Array<Uint8Array>>(), fingerprint: new BytesMap<Array<Uint8Array>>() };
    const itemPartsToAnswer = new Set<ItemsPart<T, S>>();
    for (const part of message.parts) {
      response.noteRange(part.range);
      const ends = seen[part.kind].get(part.range.x);
      const repeated = ends !== undefined && ends.some((y) => bytesEqual(y, part.range.y));
      if (ends === undefined) seen[part.kind].set(part.range.x, [part.range.y]);
      else if (!repeated) ends.push(part.range.y);
      if (part.kind === 'items') {
        itemParts.push(part);
        if (!part.haveLocal && !repeated) itemPartsToAnswer.add(part);
      } else if (!repeated) {
        fingerprintParts.push(part);
      }
    }

    const received: Array<readonly [T, S]> = [];
    for (const part of itemParts) {
      const values = part.values.filter(([item]) => rangeContains(part.range, this.traits.key(item)));
      if (!itemPartsToAnswer.has(part)) {
        for (const value of values) received.push(value);
      } else {
        const theirs = new BytesMap<T>();
        for (const [item] of values) {
          const key = this.traits.key(item);
          const known = theirs.get(key);
          if (known === undefined || this.traits.compareValues(item, known) > 0) theirs.set(key, item);
        }
        const checkpoint = response.checkpoint();
        await this.answerWithItems(part.range, response, callbacks, {
          haveLocal: true,
          theirs,
          outerEnd: part.range.y,
          deferAll: part.range,
        });
        response.answered(part.range, checkpoint);
        // Values under keys where we hold one at least as new cannot be inserted: they are not passed on.
        for (const value of values) if (theirs.get(this.traits.key(value[0])) !== undefined) received.push(value);
      }
    }
    if (received.length > 0) await callbacks.receive(received);

    const expectRangeReads = this.store.expectRangeReads?.bind(this.store);
    if (expectRangeReads !== undefined && fingerprintParts.length >= ANNOUNCE_MIN_PARTS) await this.announceReads(fingerprintParts, expectRangeReads);
    const counts = await this.ourCounts(fingerprintParts);
    const valueBytes = await this.valueBytesIfOverflowing(fingerprintParts, counts, response, callbacks);
    for (const [index, part] of fingerprintParts.entries()) {
      const checkpoint = response.checkpoint();
      await this.answerFingerprint(part.range, part.fingerprint, counts[index], valueBytes, response, callbacks);
      response.answered(part.range, checkpoint);
    }

    if (response.onlyDeferred) {
      throw new RbsrError(
        RBSR_ERROR_CODES.frameBudgetTooSmall,
        `the frame budget of ${this.frameBudget} bytes cannot hold any part of the answer`,
      );
    }
    await response.finish(this.store);
    return response.parts.length === 0 ? undefined : { parts: response.parts };
  }

  /**
   * Tells the store ({@link RangeStore.expectRangeReads}) about how many ranges answering `parts` will read: the parts
   * that differ from ours — estimated from up to {@link SWEEP_SAMPLE} of them, spread evenly over the message — times
   * the split factor. (The fingerprints read here are the ones the answers read next.)
   */
  private async announceReads(parts: ReadonlyArray<FingerprintPart<T, S>>, expectRangeReads: (ranges: number) => Promise<void>): Promise<void> {
    const sample = Math.min(parts.length, SWEEP_SAMPLE);
    // Read at the same time: a store that reads piecemeal then waits for its reads once, not once per part.
    const sampled = Array.from({ length: sample }, (_, index) => parts[Math.floor((index * parts.length) / sample)]!);
    const ours = await Promise.all(sampled.map(({ range }) => this.store.fingerprint(range)));
    const differing = sampled.filter(({ fingerprint }, index) => !bytesEqual(ours[index]!, fingerprint)).length;
    if (differing > 0) await expectRangeReads(Math.round((differing * parts.length) / sample) * this.settings.splitFactor);
  }

  private checkIncoming(message: Message<T, S>): void {
    const parts = message.parts;
    if (parts.length > this.maxIncomingParts) {
      throw new RbsrError(
        RBSR_ERROR_CODES.messageTooLarge,
        `incoming message has ${parts.length} parts, the limit is ${this.maxIncomingParts}`,
      );
    }
    let values = 0;
    for (const part of parts) {
      if (!(part.range.x instanceof Uint8Array) || !(part.range.y instanceof Uint8Array)) {
        throw new RbsrError(RBSR_ERROR_CODES.invalidMessage, 'a range bound is not a Uint8Array');
      }
      if (part.kind === 'items') {
        values += part.values.length;
      } else if (!(part.fingerprint instanceof Uint8Array) || part.fingerprint.length !== 32) {
        throw new RbsrError(RBSR_ERROR_CODES.invalidMessage, 'a fingerprint is not 32 bytes');
      }
    }
    if (values > this.maxIncomingValues) {
      throw new RbsrError(
        RBSR_ERROR_CODES.messageTooLarge,
        `incoming message has ${values} values, the limit is ${this.maxIncomingValues}`,
      );
    }
  }

  /** Our count in each part's range, or undefined where our fingerprint equals the peer's. */
  private async ourCounts(parts: ReadonlyArray<FingerprintPart<T, S>>): Promise<Array<number | undefined>> {
    const counts: Array<number | undefined> = [];
    for (const { range, fingerprint } of parts) {
      counts.push(bytesEqual(await this.store.fingerprint(range), fingerprint) ? undefined : await this.store.count(range));
    }
    return counts;
  }

  /**
   * The estimated size of one of our values if the answer to these fingerprint parts is not expected to fit the frame
   * budget, else undefined (so always without a budget, and once deferring: everything mismatched is deferred then).
   *
   * Items end a small mismatched range one message after ours, a split takes two (the peer answers the sub-ranges,
   * then we answer that). When the answer does not fit, what does not fit is deferred, and the peer and we answer
   * those ranges in the next two messages anyway; so small ranges are then split where their sub-ranges'
   * fingerprints take fewer bytes than their items (see {@link answersWithItems}), and the peer sends only the items
   * of the sub-ranges that differ. The answer's size is estimated from our counts: items for the small ranges, sized
   * from up to {@link VALUE_SIZE_SAMPLE} items of the first one that could be split (read once more here), and
   * `splitFactor` fingerprint parts for each larger one.
   */
  private async valueBytesIfOverflowing(
    parts: ReadonlyArray<FingerprintPart<T, S>>,
    counts: ReadonlyArray<number | undefined>,
    response: ResponseBuilder<T, S>,
    callbacks: ReconcileCallbacks<T, S>,
  ): Promise<number | undefined> {
    if (!response.limited || response.deferring) return undefined;
    let sample: Range | undefined;
    let largeRangeBytes = 0;
    const small: Array<{ range: Range; count: number }> = [];
    for (const [index, { range, fingerprint }] of parts.entries()) {
      const count = counts[index];
      if (count === undefined) continue;
      if (this.answersWithItems(range, count, fingerprint, undefined)) {
        small.push({ range, count });
        if (sample === undefined && !bytesEqual(fingerprint, this.emptyFingerprint) && this.splitSendsFingerprints(count)) sample = range;
      } else {
        largeRangeBytes += this.splitBytes(range, count);
      }
    }
    if (sample === undefined) return undefined;
    let sampleBytes = 0;
    let sampled = 0;
    for await (const item of this.store.items(sample)) {
      sampleBytes += this.sizes.value(item, await callbacks.contentStatus(item));
      if (++sampled === VALUE_SIZE_SAMPLE) break;
    }
    // Unreachable for a store that counts what it iterates (the sample range holds at least 2 items).
    if (sampled === 0) return undefined;
    const valueBytes = sampleBytes / sampled;
    let expected = largeRangeBytes;
    for (const { range, count } of small) expected += this.sizes.itemsPart(range, count) + count * valueBytes;
    return response.fits(expected) ? undefined : valueBytes;
  }

  /**
   * Whether a mismatched range holding `count` of our items is answered with them rather than split: always where the
   * peer holds nothing (its fingerprint is the empty one), never where we hold more than `maxReplySetSize`, and
   * otherwise unless the answer is not expected to fit the frame budget (`valueBytes` is defined, see
   * {@link valueBytesIfOverflowing}) and a split sends fingerprints, estimated to take fewer bytes than the items.
   */
  private answersWithItems(range: Range, count: number, theirFingerprint: Uint8Array, valueBytes: number | undefined): boolean {
    if (bytesEqual(theirFingerprint, this.emptyFingerprint)) return true;
    if (count > this.settings.maxReplySetSize) return false;
    if (valueBytes === undefined || !this.splitSendsFingerprints(count)) return true;
    return this.splitBytes(range, count) >= this.sizes.itemsPart(range, count) + count * valueBytes;
  }

  /**
   * About the bytes of splitting `range`, holding `count` of our items, into `splitFactor` sub-ranges: a fingerprint
   * part per sub-range. (A small range split is cut into fewer, see {@link splitParts}: deciding with the larger
   * number splits only where fingerprints save many bytes, worth the extra round trip.)
   */
  private splitBytes(range: Range, count: number): number {
    return Math.min(this.settings.splitFactor, count) * this.sizes.fingerprintPart(range);
  }

  /**
   * How many sub-ranges a split of `range`, holding `count` of our items, makes: `splitFactor` (at most `count`), as
   * the reference does. A small range (at most `maxReplySetSize` items) is split only when the answer is not expected
   * to fit (`valueBytes` defined, see {@link valueBytesIfOverflowing}), and it most likely differs from the peer's in
   * one item: its k fingerprint parts are sent now, then the peer answers the one sub-range that differs with its
   * ~count/k items. About √(count · valueBytes / fingerprint part) sub-ranges send the fewest bytes for both (at
   * least 2, at most `splitFactor`): 5 instead of 16 for 24 entries of ~190 bytes under fingerprint parts of ~200.
   */
  private splitParts(range: Range, count: number, valueBytes: number | undefined): number {
    const parts = Math.min(this.settings.splitFactor, count);
    if (valueBytes === undefined || count > this.settings.maxReplySetSize) return parts;
    const balanced = Math.round(Math.sqrt((count * valueBytes) / this.sizes.fingerprintPart(range)));
    return Math.max(2, Math.min(parts, balanced));
  }

  /**
   * Whether splitting a range of `count` of our items sends at least one sub-range as a fingerprint (with at most
   * `splitFactor` sub-ranges, one holds more than `maxSetSize` items); a split into items parts only is no split.
   */
  private splitSendsFingerprints(count: number): boolean {
    return count > 1 && count > this.settings.splitFactor * this.settings.maxSetSize;
  }

  /**
   * Answers the peer's fingerprint of `range`, given our count there (undefined: our fingerprint equals theirs):
   * nothing if equal, our items if few (see {@link answersWithItems}; `valueBytes` as there), else a split.
   */
  private async answerFingerprint(
    range: Range,
    theirFingerprint: Uint8Array,
    count: number | undefined,
    valueBytes: number | undefined,
    response: ResponseBuilder<T, S>,
    callbacks: ReconcileCallbacks<T, S>,
  ): Promise<void> {
    const store = this.store;
    if (count === undefined) {
      response.matchedRange(range);
      return;
    }
    if (response.deferring) {
      response.defer(range);
      return;
    }
    if (this.answersWithItems(range, count, theirFingerprint, valueBytes)) {
      await this.answerWithItems(range, response, callbacks, { haveLocal: false, outerEnd: range.y, deferAll: range });
      return;
    }
    const parts = this.splitParts(range, count, valueBytes);
    const subRanges: readonly SubRange[] =
      (await this.splitInStore(range, count, parts)) ??
      (await this.splitFromSummaries(range, count, parts)) ??
      (await this.split(range, count, parts)).map((sub) => ({ range: sub }));
    const outerEnd = subRanges[subRanges.length - 1]!.range.y;
    for (let i = 0; i < subRanges.length; i++) {
      const { range: sub, count: subCount, fingerprint } = subRanges[i]!;
      const deferAll: Range = i === 0 ? range : { x: sub.x, y: outerEnd };
      if ((subCount ?? (await store.count(sub))) <= this.settings.maxSetSize) {
        const complete = await this.answerWithItems(sub, response, callbacks, { haveLocal: false, outerEnd, deferAll });
        if (!complete) return;
        continue;
      }
      const bytes = this.sizes.fingerprintPart(sub);
      const remainder = i === subRanges.length - 1 ? undefined : { x: sub.y, y: outerEnd };
      if (!response.fits(bytes, remainder)) {
        response.defer(deferAll);
        return;
      }
      response.push({ kind: 'fingerprint', range: sub, fingerprint: fingerprint ?? (await store.fingerprint(sub)) }, bytes);
    }
  }

  /**
   * Sends our items of `range` (all of them, or for a diff those the peer lacks). When they do not
   * all fit, sends the longest prefix in circular order from `range.x` that fits, as an items part
   * over `(x, k)`, and defers `(k, outerEnd)`.
   *
   * @returns whether the whole range was answered
   */
  private async answerWithItems(
    range: Range,
    response: ResponseBuilder<T, S>,
    callbacks: ReconcileCallbacks<T, S>,
    answer: ItemsAnswer<T>,
  ): Promise<boolean> {
    const { traits, sizes } = this;
    const { theirs, outerEnd } = answer;
    const selected: Array<[T, S]> = [];
    let valueBytes = 0;
    // Index in `selected` where the second circular segment starts (iteration order puts it first).
    let wrapIndex = -1;
    let fittingPrefix: { count: number; end: Uint8Array } | undefined;
    let exhausted = true;
    const segments = circularSegments(range);
    // Once deferring, only find out whether there is anything to send: a diff with nothing in it
    // settles its range, anything else is deferred whole.
    const probeOnly = response.deferring;
    scan: for (let s = 0; s < segments.length; s++) {
      if (s === 1) wrapIndex = selected.length;
      for await (const item of this.candidates(segments[s] as Range, theirs)) {
        if (theirs !== undefined) {
          const key = traits.key(item);
          const their = theirs.get(key);
          if (their !== undefined) {
            const order = traits.compareValues(their, item);
            if (order <= 0) theirs.delete(key);
            if (order >= 0) continue;
          }
        }
        if (probeOnly) {
          response.defer(answer.deferAll);
          return false;
        }
        if (response.limited && selected.length > 0) {
          const key = traits.key(item);
          const prefixRange: Range = { x: range.x, y: key };
          if (response.fits(sizes.itemsPart(prefixRange, selected.length) + valueBytes, { x: key, y: outerEnd })) {
            fittingPrefix = { count: selected.length, end: key };
          } else if (response.overflows(valueBytes)) {
            exhausted = false;
            break scan;
          }
        }
        const status = await callbacks.contentStatus(item);
        selected.push([item, status]);
        valueBytes += sizes.value(item, status);
      }
    }
    if (exhausted) {
      if (theirs !== undefined && selected.length === 0) return true;
      if (probeOnly) {
        response.defer(answer.deferAll);
        return false;
      }
      const bytes = sizes.itemsPart(range, selected.length) + valueBytes;
      const laterSubRanges = bytesEqual(range.y, outerEnd) ? undefined : { x: range.y, y: outerEnd };
      if (response.fits(bytes, laterSubRanges)) {
        response.push(
          { kind: 'items', range, values: iterationOrder(selected, wrapIndex), haveLocal: answer.haveLocal },
          bytes,
        );
        return true;
      }
    }
    if (fittingPrefix === undefined) {
      response.defer(answer.deferAll);
      return false;
    }
    const chunk = selected.slice(0, fittingPrefix.count);
    const chunkRange: Range = { x: range.x, y: fittingPrefix.end };
    let chunkBytes = sizes.itemsPart(chunkRange, chunk.length);
    for (const [item, status] of chunk) chunkBytes += sizes.value(item, status);
    const chunkWrapIndex = wrapIndex >= 0 && wrapIndex < chunk.length ? wrapIndex : -1;
    response.push(
      { kind: 'items', range: chunkRange, values: iterationOrder(chunk, chunkWrapIndex), haveLocal: answer.haveLocal },
      chunkBytes,
    );
    response.defer({ x: fittingPrefix.end, y: outerEnd });
    return false;
  }

  /**
   * Our items of a segment, for an answer with items: all of them, or for a diff against `theirs`, where the store
   * holds our keys and fingerprints apart ({@link RangeStore.summaries}), only those whose fingerprint differs from
   * the peer's item under the same key, each read when needed. An equal fingerprint is an equal value: the peer
   * has it and ours is not needed, exactly as when the values compare equal.
   */
  private async *candidates(segment: Range, theirs: BytesMap<T> | undefined): AsyncGenerator<T> {
    const { store, traits } = this;
    const read = store.item?.bind(store);
    const summaries = theirs === undefined || read === undefined ? undefined : await store.summaries?.(segment);
    if (theirs === undefined || read === undefined || summaries === undefined) {
      yield* store.items(segment);
      return;
    }
    for (const { key, fingerprint } of summaries) {
      const their = theirs.get(key);
      if (their !== undefined && bytesEqual(traits.fingerprint(their), fingerprint)) {
        theirs.delete(key);
        continue;
      }
      const item = await read(key);
      if (item !== undefined) yield item;
    }
  }

  /**
   * {@link split} by the store ({@link RangeStore.splitRange}), with each sub-range's count and fingerprint, where it
   * can and the range does not wrap (`x < y`); otherwise undefined. A result that is not `parts` sub-ranges from `x`
   * to `y`, one after the other, holding `count` items in all, is not used.
   */
  private async splitInStore(range: Range, count: number, parts: number): Promise<readonly SubRange[] | undefined> {
    if (this.store.splitRange === undefined || compareKeys(range.x, range.y) >= 0) return undefined;
    const split = await this.store.splitRange(range, count, parts);
    if (split === undefined || split.length !== parts) return undefined;
    let total = 0;
    let x = range.x;
    for (const part of split) {
      if (!bytesEqual(part.range.x, x)) return undefined;
      total += part.count;
      x = part.range.y;
    }
    return total === count && bytesEqual(x, range.y) ? split : undefined;
  }

  /**
   * {@link split} from the range's summaries ({@link RangeStore.summaries}), with each sub-range's count and
   * fingerprint (the empty fingerprint XOR its items'), where the store has them, the range does not wrap (`x < y`)
   * and holds at most {@link SUMMARY_SPLIT_ITEMS_PER_PART} items per sub-range; otherwise undefined. Without wrapping
   * the pivots are the keys at indices `count * (i + 1) / parts`, and each sub-range holds the items from one pivot
   * to the next.
   */
  private async splitFromSummaries(range: Range, count: number, parts: number): Promise<readonly SubRange[] | undefined> {
    if (this.store.summaries === undefined || count > parts * SUMMARY_SPLIT_ITEMS_PER_PART || compareKeys(range.x, range.y) >= 0) return undefined;
    const summaries = await this.store.summaries(range);
    if (summaries === undefined || summaries.length !== count) return undefined;
    const xorInto = (fingerprint: Uint8Array, from: number, to: number): void => {
      for (let index = from; index < to; index++) {
        const item = summaries[index]!.fingerprint;
        for (let byte = 0; byte < fingerprint.length; byte++) fingerprint[byte]! ^= item[byte]!;
      }
    };
    return splitByIndex(range, count, parts, { first: 0, keyAt: (index) => summaries[index]!.key, xorInto }, this.emptyFingerprint);
  }

  /**
   * Splits `range` (holding `count > 1` of our items) into `parts` sub-ranges (see {@link splitParts}) at pivots
   * chosen by index as the reference does (its very pivots when `parts` is `min(splitFactor, count)`): pivot(i) is
   * the key at `(start + count * (i + 1) / parts) mod count` (integer division), where `start` is the index of the
   * first item at or after `range.x` in iteration order.
   */
  private async split(range: Range, count: number, parts: number): Promise<Range[]> {
    const start = await this.startIndex(range, count);
    const pivots: Uint8Array[] = [];
    for (let i = 0; i < parts; i++) {
      const offset = Math.floor((count * (i + 1)) / parts);
      pivots.push(await this.store.keyAt(range, (start + offset) % count));
    }
    const pivot = (i: number): Uint8Array => pivots[i % parts] as Uint8Array;
    const ranges: Range[] = [];
    if (isWholeRange(range)) {
      for (let i = 0; i < parts; i++) {
        const x = pivot(i);
        const y = pivot(i + 1);
        if (!bytesEqual(x, y)) ranges.push({ x, y });
      }
      return ranges;
    }
    ranges.push({ x: range.x, y: pivot(0) });
    for (let i = 0; i < parts - 2; i++) {
      const x = pivot(i);
      const y = pivot(i + 1);
      if (!bytesEqual(x, y)) ranges.push({ x, y });
    }
    ranges.push({ x: pivot(parts - 2), y: range.y });
    return ranges;
  }

  /** Index (in iteration order) of the first item with key `>= range.x`, or 0 if none. */
  private async startIndex(range: Range, count: number): Promise<number> {
    const order = compareKeys(range.x, range.y);
    if (order < 0) return 0;
    const end = order === 0 ? range.x : range.y;
    const below = end.length === 0 ? 0 : await this.store.count({ x: EMPTY_KEY, y: end });
    // Whole set: `below` items precede x. Wrapping: [start, y) comes first, then [x, end).
    return below === count ? 0 : below;
  }
}

/** Puts items collected in circular order back into the store's iteration order. */
function iterationOrder<V>(values: V[], wrapIndex: number): V[] {
  if (wrapIndex <= 0) return values;
  return [...values.slice(wrapIndex), ...values.slice(0, wrapIndex)];
}

function requireInteger(name: string, value: number, minimum: number): void {
  if (!Number.isInteger(value) || value < minimum) {
    throw new RangeError(`Reconciler: ${name} must be an integer >= ${minimum}, got ${value}`);
  }
}
