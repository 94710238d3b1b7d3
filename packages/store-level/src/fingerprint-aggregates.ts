import { compareBytes, equalBytes } from '@docs/crypto';
import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { HALF_SIPHASH_KEY_LENGTH, halfSipHash24 } from './half-siphash.js';
import { TABLE, aggregateKey, prefixBounds } from './key-layout.js';
import { successorKey } from './key-value.js';
import {
  compareIds,
  composePage,
  decodePageRow,
  indexOfId,
  lowerBoundIn,
  pageKey,
  xorFingerprints,
  type PagePiece,
  type PageRecord,
  type PageRecords,
} from './page-rows.js';
import type { RecordPages } from './record-pages.js';
import type { SortedByteMap } from './sorted-byte-map.js';
import type { WriteSet } from './write-set.js';

/**
 * The shape of the aggregate structure: a record id is a level-`l` boundary with probability `2^-(bitsPerLevel·l)`,
 * so a node holds about `2^bitsPerLevel` nodes of the level below; `levels` levels sit above the records.
 */
export interface AggregateShape {
  readonly bitsPerLevel: number;
  readonly levels: number;
}

/**
 * 16-way nodes, five levels (a top-level node per ~1M entries; more are fine, the upper levels live in memory): a
 * range costs in-memory node steps plus the records of one level-1 node (about 16) per bound, read with their
 * neighbours (see {@link RecordPages}) unless held. Wider nodes (e.g. 6 bits) keep fewer nodes in memory but read
 * more records per range.
 */
export const DEFAULT_AGGREGATE_SHAPE: AggregateShape = { bitsPerLevel: 4, levels: 5 };

/** Count and XOR of the entry fingerprints of a set of records (the XOR does not include the empty fingerprint). */
export interface Aggregate {
  count: number;
  readonly xor: Uint8Array;
}

/** Size of an encoded {@link Aggregate}: count (u64 BE) ‖ xor (32). */
const AGGREGATE_LENGTH = 40;

/** A fresh empty aggregate. */
function emptyAggregate(): Aggregate {
  return { count: 0, xor: new Uint8Array(32) };
}

/** Encodes an aggregate node value. */
function encodeAggregate(aggregate: Aggregate): Uint8Array {
  const out = new Uint8Array(AGGREGATE_LENGTH);
  const view = new DataView(out.buffer);
  view.setUint32(0, Math.floor(aggregate.count / 0x1_0000_0000));
  view.setUint32(4, aggregate.count >>> 0);
  out.set(aggregate.xor, 8);
  return out;
}

/** Decodes an aggregate node value (a copy). */
export function decodeAggregate(value: Uint8Array): Aggregate {
  if (value.length !== AGGREGATE_LENGTH) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, `an aggregate node has ${AGGREGATE_LENGTH} bytes, found ${value.length}`);
  }
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  return { count: view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4), xor: value.slice(8) };
}

/** `target += source` (count added, fingerprints XORed); returns target. */
function addAggregate(target: Aggregate, source: Aggregate): Aggregate {
  target.count += source.count;
  xorInto(target.xor, source.xor);
  return target;
}

/** XORs 32 bytes of `source` into `target`. */
function xorInto(target: Uint8Array, source: Uint8Array): void {
  for (let index = 0; index < 32; index++) target[index]! ^= source[index]!;
}

/** Checks a shape: 1–16 bits per level, 1–16 levels, at most 32 bits in all (the height hash has 32 bits). */
export function checkAggregateShape(shape: AggregateShape): AggregateShape {
  const { bitsPerLevel, levels } = shape;
  if (!Number.isInteger(bitsPerLevel) || bitsPerLevel < 1 || bitsPerLevel > 16) {
    throw new RangeError(`bitsPerLevel must be an integer in 1..16, got ${bitsPerLevel}`);
  }
  if (!Number.isInteger(levels) || levels < 1 || levels > 16) {
    throw new RangeError(`levels must be an integer in 1..16, got ${levels}`);
  }
  if (bitsPerLevel * levels > 32) throw new RangeError('bitsPerLevel × levels must be at most 32');
  return { bitsPerLevel, levels };
}

interface Node {
  readonly boundary: Uint8Array;
  readonly aggregate: Aggregate;
}

/** The level-1 node from which the records up to a bound remain to be summed: its boundary and record count. */
interface NodeStart {
  readonly boundary: Uint8Array;
  readonly count: number;
}

/**
 * Synchronous reads of one namespace's aggregate nodes (rows keyed `aggregates ‖ level ‖ boundary`): the committed
 * nodes held in memory, or those seen through a batch's pending writes. The levels above 1 must be complete; level-1
 * nodes may be held only in part (by pages, see `AggregateCache`, which never drops them once loaded): a caller
 * loads the pages around the ids an operation touches first — for an insert or removal at `id` with descendants up
 * to `to`, the pages from the level-2 boundary before `id` to the one at or after `to`; for a bound, the page holding
 * it or ending at it.
 */
export interface NodeReader {
  /** The node row under `key`, or undefined. */
  get(key: Uint8Array): Uint8Array | undefined;
  /** Node rows with `gte ≤ key < lt`, ascending or descending. */
  range(gte: Uint8Array, lt: Uint8Array, reverse?: boolean): Iterable<[Uint8Array, Uint8Array]>;
  /** The node row with the largest key below `key`, or undefined. */
  before(key: Uint8Array): [Uint8Array, Uint8Array] | undefined;
}

/** Where an insert or removal reads and writes: the batch (records and all writes) and its view of the nodes. */
export interface AggregateWrites {
  readonly writes: WriteSet;
  readonly nodes: NodeReader;
  /** The committed page of a level-1 node if it is in memory (it is read otherwise). */
  readonly heldPage?: (boundary: Uint8Array) => PageRecords | undefined;
}

/**
 * Persisted fingerprint aggregates of the records table: a deterministic skip list.
 *
 * Every record id gets a height from a keyed hash of the id (independent of its value, so a replace keeps it): the
 * number of leading zero groups of `bitsPerLevel` bits, at most `levels`. For each level `l ≥ 1` the level-`l`
 * boundaries of a namespace are its head (the namespace id itself, which sorts before its records) and every
 * record of height ≥ `l`; the node of a boundary holds the count and XOR of the records from it up to the next
 * boundary of that level. Nodes live under `aggregates ‖ l ‖ boundary`; a head whose count is 0 is absent.
 *
 * The aggregate of the records below a bound is a walk down the levels: at each level the nodes between the
 * boundary found one level up and the bound (about 2^bitsPerLevel, in expectation), then the records after the
 * last level-1 boundary (one node's records, through {@link RecordPages}); below no bound (all records) is the sum
 * of the top level. A removal touches one node per level; inserts come in batches (sorted), which touch each page
 * and node they change once, and sum the level below for the records that become boundaries (rare). The structure
 * depends only on the set of records, not on the order of the edits. Everything is exact and written in the
 * caller's batch. The hash key is random per store, so nobody who writes entries can predict the heights and
 * unbalance the structure. Nodes are read through a {@link NodeReader} (the store keeps them in memory).
 */
export class FingerprintAggregates {
  readonly shape: AggregateShape;
  private readonly heightKey: Uint8Array;

  constructor(shape: AggregateShape, salt: Uint8Array) {
    this.shape = checkAggregateShape(shape);
    if (salt.length !== 32) throw new RangeError('the level salt has 32 bytes');
    this.heightKey = salt.slice(0, HALF_SIPHASH_KEY_LENGTH);
  }

  /**
   * The height of a record id: 0 (only in the records) up to `levels`: the leading zero bits of
   * HalfSipHash-2-4(salt[0..8], id), in groups of `bitsPerLevel`. Part of the on-disk format.
   */
  levelOf(id: Uint8Array): number {
    const { bitsPerLevel, levels } = this.shape;
    return Math.min(levels, Math.floor(Math.clz32(halfSipHash24(this.heightKey, id)) / bitsPerLevel));
  }

  /**
   * Adds records that are not yet counted, given in ascending id order (distinct), writing each page and node they
   * change once (the structure depends only on the set of records, so this equals adding them one by one). Level by
   * level from the bottom, the new records are taken in groups that fall between two boundaries of the level that
   * exist before this call. A group's node gains its records, or, where some of them are boundaries of the level, it
   * and each new boundary's node are summed from the level below (already complete); level 1 merges the group into
   * the node's page and cuts it at the new boundaries. The level-1 pages around every record must be loaded (see
   * {@link NodeReader}).
   */
  async insertMany(target: AggregateWrites, namespace: Uint8Array, records: readonly PageRecord[]): Promise<void> {
    const { writes, nodes } = target;
    const { levels } = this.shape;
    const heights = records.map(({ id }) => this.levelOf(id));
    for (let level = 1; level <= levels; level++) {
      for (let start = 0; start < records.length; ) {
        const first = records[start]!.id;
        const owner = floorNode(nodes, level, namespace, first);
        // Where the owner's node ends, looked up only when needed: to group more records, or to sum a cut's node.
        let end: Uint8Array | undefined | null = null;
        const ownerEnd = (): Uint8Array | undefined => (end === null ? (end = nextBoundary(nodes, level, levels, namespace, first)) : end);
        let stop = start + 1;
        if (stop < records.length) {
          const until = ownerEnd();
          while (stop < records.length && (until === undefined || compareBytes(records[stop]!.id, until) < 0)) stop++;
        }
        if (level === 1) {
          await this.mergeIntoPage(target, namespace, owner, records, heights, start, stop);
        } else {
          const cuts: Uint8Array[] = [];
          for (let index = start; index < stop; index++) if (heights[index]! >= level) cuts.push(records[index]!.id);
          if (cuts.length === 0) {
            const updated = owner.aggregate;
            updated.count += stop - start;
            for (let index = start; index < stop; index++) xorInto(updated.xor, records[index]!.fingerprint);
            writeNode(writes, level, owner.boundary, updated);
          } else {
            // Where the owner's node ended before this group: read before the group's nodes are written.
            const groupEnd = ownerEnd();
            const boundaries = [owner.boundary, ...cuts];
            boundaries.forEach((boundary, index) => {
              writeNode(writes, level, boundary, sumNodes(nodes, level - 1, namespace, boundary, boundaries[index + 1] ?? groupEnd));
            });
          }
        }
        start = stop;
      }
    }
  }

  /**
   * Level 1 of {@link insertMany}: records `start ≤ index < stop` (all inside `owner`'s node) merged into its page,
   * which is cut at those of height ≥ 1 (each starts a page and node of its own with the records after it).
   */
  private async mergeIntoPage(
    target: AggregateWrites,
    namespace: Uint8Array,
    owner: Node,
    records: readonly PageRecord[],
    heights: readonly number[],
    start: number,
    stop: number,
  ): Promise<void> {
    const page = await readPage(target, namespace, owner.boundary, owner.aggregate.count);
    let boundary = owner.boundary;
    let pieces: PagePiece[] = [];
    const finish = (): void => {
      const composed = composePage(page.namespaceId, pieces);
      writePage(target.writes, boundary, composed);
      writeNode(target.writes, 1, boundary, sumPage(composed));
    };
    let from = 0;
    for (let index = start; index < stop; index++) {
      const record = records[index]!;
      const to = lowerBoundIn(page, record.id);
      if (to > from) pieces.push({ page, from, to });
      from = to;
      if (heights[index]! >= 1) {
        finish();
        boundary = record.id;
        pieces = [];
      }
      pieces.push(record);
    }
    if (page.count > from) pieces.push({ page, from, to: page.count });
    finish();
  }

  /** Removes a counted record (whether or not its row is still in the write set). */
  async remove(target: AggregateWrites, namespace: Uint8Array, id: Uint8Array, fingerprint: Uint8Array): Promise<void> {
    const { writes, nodes } = target;
    const height = this.levelOf(id);
    for (let level = 1; level <= this.shape.levels; level++) {
      const owner = floorNode(nodes, level, namespace, id);
      const updated = owner.aggregate;
      const ownKey = aggregateKey(level, id);
      const own = level <= height ? requireNode(nodes, ownKey) : undefined;
      if (level === 1) {
        // A boundary's page merges into the previous one, without the record.
        const page = await readPage(target, namespace, owner.boundary, updated.count);
        let edited: PageRecords;
        if (own !== undefined) {
          const merged = await readPage(target, namespace, id, own.count);
          if (merged.count === 0 || compareIds(merged, 0, id) !== 0) throw corruptedPages('a page does not start at its boundary record');
          edited = composePage(page.namespaceId, [{ page, from: 0, to: page.count }, { page: merged, from: 1, to: merged.count }]);
          writes.del(pageKey(id));
        } else {
          const index = indexOfRecord(page, id, 'a removed record');
          edited = composePage(page.namespaceId, [{ page, from: 0, to: index }, { page, from: index + 1, to: page.count }]);
        }
        writePage(writes, owner.boundary, edited);
      }
      updated.count -= 1;
      xorInto(updated.xor, fingerprint);
      if (own !== undefined) {
        // The id's own node merges into the previous one.
        addAggregate(updated, own);
        writes.del(ownKey);
      }
      writeNode(writes, level, owner.boundary, updated);
    }
  }

  /** Swaps the fingerprint of a counted record (same id, new value). */
  async replace(
    target: AggregateWrites,
    namespace: Uint8Array,
    id: Uint8Array,
    oldFingerprint: Uint8Array,
    newFingerprint: Uint8Array,
  ): Promise<void> {
    const { writes, nodes } = target;
    const height = this.levelOf(id);
    for (let level = 1; level <= this.shape.levels; level++) {
      const node =
        level <= height
          ? { boundary: id, aggregate: requireNode(nodes, aggregateKey(level, id)) }
          : floorNode(nodes, level, namespace, id);
      if (level === 1) {
        const page = await readPage(target, namespace, node.boundary, node.aggregate.count);
        const index = indexOfRecord(page, id, 'a replaced record');
        const pieces = [{ page, from: 0, to: index }, { id, fingerprint: newFingerprint }, { page, from: index + 1, to: page.count }];
        writePage(writes, node.boundary, composePage(page.namespaceId, pieces));
      }
      xorInto(node.aggregate.xor, oldFingerprint);
      xorInto(node.aggregate.xor, newFingerprint);
      writeNode(writes, level, node.boundary, node.aggregate);
    }
  }

  /**
   * Count and XOR of the namespace's records with `id < bound` (`bound` undefined: all of them), from the committed
   * nodes (level 1 loaded around the bound, see {@link NodeReader}).
   */
  async below(
    pages: RecordPages,
    nodes: SortedByteMap<Uint8Array>,
    namespace: Uint8Array,
    bound: Uint8Array | undefined,
  ): Promise<Aggregate> {
    const { total, start } = this.descend(nodes, namespace, bound);
    if (start === undefined) return total;
    return addAggregate(total, await pages.sum(namespace, start.boundary, start.count, start.boundary, bound));
  }

  /**
   * The id of the namespace's record at `rank` (0-based, in id order) and the aggregate of the records below it
   * (`rank` of them: what {@link below} of that id returns), or undefined past the end, from the committed nodes.
   * `loadPage` is called with the level-2 boundary whose level-1 nodes the walk needs next (see {@link NodeReader}).
   */
  async select(
    pages: RecordPages,
    nodes: SortedByteMap<Uint8Array>,
    namespace: Uint8Array,
    rank: number,
    loadPage: (boundary: Uint8Array) => Promise<void>,
  ): Promise<{ id: Uint8Array; below: Aggregate } | undefined> {
    if (!Number.isSafeInteger(rank) || rank < 0) throw new RangeError(`rank must be a non-negative integer, got ${rank}`);
    const below = emptyAggregate();
    let left = rank;
    let start = namespace;
    let startCount = 0;
    for (let level = this.shape.levels; level >= 1; level--) {
      if (level === 1 && this.shape.levels > 1) await loadPage(start);
      let found = false;
      nodes.walk(aggregateKey(level, start), levelEnd(level), (key, value) => {
        const count = aggregateCount(value);
        if (left >= count) {
          left -= count;
          addEncodedAggregate(below, value);
          return false;
        }
        start = key.subarray(2);
        startCount = count;
        found = true;
        return true;
      });
      if (!found) return undefined;
    }
    const id = await pages.prefix(namespace, start, startCount, left, below);
    return id === undefined ? undefined : { id, below };
  }

  /**
   * The walk down the levels towards `bound`: the sum of the nodes wholly below it, and the level-1 boundary from
   * which the records up to the bound remain to be read (undefined: nothing below the bound is left).
   */
  private descend(
    nodes: SortedByteMap<Uint8Array>,
    namespace: Uint8Array,
    bound: Uint8Array | undefined,
  ): { total: Aggregate; start: NodeStart | undefined } {
    const total = emptyAggregate();
    if (bound === undefined) {
      const top = this.shape.levels;
      nodes.walk(aggregateKey(top, namespace), levelEnd(top), (_, value) => void addEncodedAggregate(total, value));
      return { total, start: undefined };
    }
    let start = namespace;
    let startCount = 0;
    // The bound's row key at each level: one buffer, its level byte set as the walk goes down.
    const boundKey = aggregateKey(this.shape.levels, bound);
    for (let level = this.shape.levels; level >= 1; level--) {
      let last: Uint8Array | undefined;
      let lastValue: Uint8Array | undefined;
      boundKey[1] = level;
      nodes.walk(aggregateKey(level, start), boundKey, (key, value) => {
        if (lastValue !== undefined) addEncodedAggregate(total, lastValue);
        last = key;
        lastValue = value;
      });
      // No node below the bound: the (absent) head covers it, so nothing more is below the bound.
      if (last === undefined || lastValue === undefined) return { total, start: undefined };
      start = (last as Uint8Array).subarray(2);
      startCount = aggregateCount(lastValue);
    }
    return { total, start: { boundary: start, count: startCount } };
  }
}

/** The node whose range holds `id` at `level`, not counting a node starting at `id` itself (head if none). */
function floorNode(nodes: NodeReader, level: number, namespace: Uint8Array, id: Uint8Array): Node {
  const found = nodes.before(aggregateKey(level, id));
  if (found === undefined || compareBytes(found[0], aggregateKey(level, namespace)) < 0) {
    return { boundary: namespace, aggregate: emptyAggregate() };
  }
  return { boundary: found[0].subarray(2), aggregate: decodeAggregate(found[1]) };
}

/**
 * The first boundary after `id` at `level`, or undefined (the namespace's end). The levels above 1 are held whole
 * (see {@link NodeReader}); level 1 is searched only up to the next level-2 boundary (one of level 1 too), so that a
 * partly loaded level 1 is never read past the loaded page.
 */
function nextBoundary(
  nodes: NodeReader,
  level: number,
  levels: number,
  namespace: Uint8Array,
  id: Uint8Array,
): Uint8Array | undefined {
  const firstAfter = (at: number, lt: Uint8Array): Uint8Array | undefined => {
    for (const [key] of nodes.range(aggregateKey(at, successorKey(id)), lt)) return key.subarray(2);
    return undefined;
  };
  if (level > 1 || levels === 1) return firstAfter(level, nodeBounds(level, namespace).lt);
  const above = firstAfter(2, nodeBounds(2, namespace).lt);
  return firstAfter(1, above === undefined ? nodeBounds(1, namespace).lt : aggregateKey(1, above)) ?? above;
}

/** Sum of the level's nodes with `from ≤ boundary < to`. */
function sumNodes(nodes: NodeReader, level: number, namespace: Uint8Array, from: Uint8Array, to: Uint8Array | undefined): Aggregate {
  const total = emptyAggregate();
  const lt = to === undefined ? nodeBounds(level, namespace).lt : aggregateKey(level, to);
  for (const [, value] of nodes.range(aggregateKey(level, from), lt)) addEncodedAggregate(total, value);
  return total;
}

/**
 * The records of the level-1 node starting at `boundary`, which counts `count` of them: the batch's pending row, the
 * committed page if it is held, or the committed row read.
 */
async function readPage(target: AggregateWrites, namespace: Uint8Array, boundary: Uint8Array, count: number): Promise<PageRecords> {
  const key = pageKey(boundary);
  let value = target.writes.pendingWrite(key);
  if (value === undefined) {
    // A held page that does not count as many records as the node is not trusted: its row is read.
    const held = target.heldPage?.(boundary);
    if (held !== undefined && held.count === count) return held;
    value = (await target.writes.get(key)) ?? null;
  }
  return checkedPage(decodePageRow(namespace, value ?? new Uint8Array()), count);
}

/** `page`, if it holds as many records as its level-1 node counts. */
function checkedPage(page: PageRecords, count: number): PageRecords {
  if (page.count !== count) throw corruptedPages(`a level-1 node counts ${count} records, its page row holds ${page.count}`);
  return page;
}

/** Writes the page row of the level-1 node starting at `boundary` (deleted when it holds no record: an empty head). */
function writePage(writes: WriteSet, boundary: Uint8Array, page: PageRecords): void {
  if (page.count === 0) {
    writes.del(pageKey(boundary));
    return;
  }
  writes.put(pageKey(boundary), page.row);
}

/** Count and XOR of a page's records. */
function sumPage(page: PageRecords): Aggregate {
  const total = emptyAggregate();
  xorFingerprints(page, 0, page.count, total.xor);
  total.count = page.count;
  return total;
}

/** Index of the record with `id` (`what` names it if it is missing: the page does not match the records). */
function indexOfRecord(page: PageRecords, id: Uint8Array, what: string): number {
  const index = indexOfId(page, id);
  if (index < 0) throw corruptedPages(`${what} is not in its page`);
  return index;
}

function corruptedPages(message: string): StoreError {
  return new StoreError(STORE_ERROR_CODES.CORRUPTED, message);
}

function requireNode(nodes: NodeReader, key: Uint8Array): Aggregate {
  const value = nodes.get(key);
  if (value === undefined) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'an aggregate node of a boundary record is missing');
  }
  return decodeAggregate(value);
}

function writeNode(writes: WriteSet, level: number, boundary: Uint8Array, aggregate: Aggregate): void {
  const key = aggregateKey(level, boundary);
  if (aggregate.count > 0) {
    writes.put(key, encodeAggregate(aggregate));
    return;
  }
  // Only a head may become empty: a boundary's node always counts the boundary record itself.
  if (aggregate.count < 0 || boundary.length !== 32) {
    throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'the fingerprint aggregates do not match the records');
  }
  writes.del(key);
}

/** The count of an encoded aggregate node value. */
export function aggregateCount(value: Uint8Array): number {
  if (value.length !== AGGREGATE_LENGTH) return decodeAggregate(value).count;
  const high = ((value[0]! << 24) | (value[1]! << 16) | (value[2]! << 8) | value[3]!) >>> 0;
  const low = ((value[4]! << 24) | (value[5]! << 16) | (value[6]! << 8) | value[7]!) >>> 0;
  return high * 0x1_0000_0000 + low;
}

/** `target +=` an encoded aggregate, without allocating. */
function addEncodedAggregate(target: Aggregate, value: Uint8Array): void {
  target.count += aggregateCount(value);
  const { xor } = target;
  for (let index = 0; index < 32; index++) xor[index]! ^= value[8 + index]!;
}

/** Expected aggregate nodes, computed from records fed in id order (any namespaces); for integrity checks. */
export class AggregateRecomputation {
  private readonly open: (Node | undefined)[] = [];
  private namespace: Uint8Array | undefined;
  /** Finished nodes: aggregate key → aggregate. */
  readonly nodes: { key: Uint8Array; aggregate: Aggregate }[] = [];

  constructor(private readonly aggregates: FingerprintAggregates) {}

  /** Feeds the next record (ids strictly increasing). */
  add(id: Uint8Array, fingerprint: Uint8Array): void {
    const namespace = id.subarray(0, 32);
    const { levels } = this.aggregates.shape;
    if (this.namespace === undefined || !equalBytes(this.namespace, namespace)) {
      this.finish();
      this.namespace = namespace;
      for (let level = 1; level <= levels; level++) this.open[level] = { boundary: namespace, aggregate: emptyAggregate() };
    }
    const height = this.aggregates.levelOf(id);
    for (let level = 1; level <= levels; level++) {
      if (level <= height) {
        this.close(level);
        this.open[level] = { boundary: id, aggregate: emptyAggregate() };
      }
      const node = this.open[level]!;
      node.aggregate.count++;
      xorInto(node.aggregate.xor, fingerprint);
    }
  }

  /** Closes the open nodes of the current namespace. */
  finish(): void {
    for (let level = 1; level < this.open.length; level++) this.close(level);
    this.open.length = 0;
    this.namespace = undefined;
  }

  private close(level: number): void {
    const node = this.open[level];
    if (node !== undefined && node.aggregate.count > 0) {
      this.nodes.push({ key: aggregateKey(level, node.boundary), aggregate: node.aggregate });
    }
    this.open[level] = undefined;
  }
}

/**
 * The end of one level's rows in a map of a single namespace's nodes (the committed nodes held in memory): the first
 * key of the next level. A view over several namespaces (a batch's) needs {@link nodeBounds} instead.
 */
function levelEnd(level: number): Uint8Array {
  return LEVEL_ENDS[level]!;
}

/** {@link levelEnd} of every level a shape may have (at most 16), made once. */
const LEVEL_ENDS: readonly Uint8Array[] = Array.from({ length: 17 }, (_, level) => Uint8Array.of(TABLE.aggregates, level + 1));

/** Bounds of one level's nodes of a namespace. */
function nodeBounds(level: number, namespace: Uint8Array): { gte: Uint8Array; lt: Uint8Array } {
  return prefixBounds(aggregateKey(level, namespace));
}

