import { bytesToMapKey, compareBytes, equalBytes } from '@docs/crypto';
import { ID_LENGTH, xorFingerprintInto } from '@docs/entry';
import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { levelOneNodeOf, type AggregateCache, type LevelOneNode } from './aggregate-cache.js';
import { TABLE, prefixBounds } from './key-layout.js';
import type { Aggregate } from './fingerprint-aggregates.js';
import type { BatchOperation, KeyValueReader } from './key-value.js';
import { SortedByteMap } from './sorted-byte-map.js';
import { IdHashes } from './id-hashes.js';
import { WholeNamespacePolicy } from './whole-namespace-policy.js';
import { WholeNamespace, pageXor } from './whole-namespace.js';
import { compareIds, compareRecords, decodePageRow, idOf, indexOfId, lowerBoundIn, pageKey, xorFingerprints, type PageRecords } from './page-rows.js';

/** The records of one level-1 node (see {@link PageRecords}), of a namespace (as a map key), by the node's boundary. */
interface Page extends PageRecords {
  readonly namespace: string;
  readonly boundary: Uint8Array;
}

/**
 * Default number of records kept in pages: about 55 MB with ids of ~80 bytes (measured for a namespace held whole:
 * ~220 bytes per record, its share of its page row and page, of its level-1 node and its id hash; ~200 for pages
 * read piecemeal). Half of it may hold namespaces whole (see {@link RecordPages.holdNamespace}): one of 131,072
 * entries, or several smaller ones.
 */
export const DEFAULT_CACHED_RECORDS = 262_144;

/**
 * Uses in a row of a namespace held whole whose pages did not change, after which its index is built (see
 * `RecordPages.wholeIndex`): a few dozen operations through the aggregate nodes (tens of µs each) cost about
 * what building the index does.
 */
const INDEX_AFTER_USES = 32;

/**
 * Records a sweep's read-ahead reads at most (unless the page asked for alone holds more): about 16 level-2 nodes'
 * worth, some 250 page rows.
 */
const RUN_RECORD_LIMIT = 4_096;

/**
 * The records of recently read level-1 aggregate nodes, in memory, least recently used dropped first.
 *
 * A range operation ends in the records after the last level-1 boundary below each of its bounds: one node's
 * records (about 16), kept as a page — the node's record ids and fingerprints, one row of the pages table.
 * Reconciliation reads the same nodes many times (count, fingerprint and split pivots of a range, then the peer's
 * answer over the same sub-ranges) and sweeps neighbouring nodes in key order. So a miss that follows the last one
 * reads the missing pages next to it too, and a sweep in progress reads ahead over the next level-2 nodes (see
 * {@link missingRun}; up to {@link RUN_RECORD_LIMIT} records), while a random access reads its one page. Page rows
 * are read by their keys, which the level-1 nodes give: point reads, no walk.
 *
 * A namespace a sync sweeps is soon **held whole** ({@link holdNamespace}): every page read in one walk (its level-1
 * nodes in another) and kept by commits, so that its range operations read nothing ({@link wholeIndex});
 * {@link WholeNamespacePolicy} decides which.
 *
 * Pages hold committed state only: {@link applyCommitted} runs under the store's exclusive commit lock and replays
 * the page rows a committed batch writes on the pages held. Pages are loaded under the shared lock, so a page is
 * never loaded across a commit. A page is keyed by its node's boundary and checked against the node.
 */
export class RecordPages {
  private readonly byNamespace = new Map<string, SortedByteMap<Page>>();
  /** Every page of a namespace not held whole, least recently used first. */
  private readonly recency = new Set<Page>();
  /** Records in every page held. */
  private records = 0;
  /** Where the level-2 nodes the last miss read start and end, its namespace, and whether it was a sweep. */
  private lastMiss:
    | { readonly namespace: string; readonly start: Uint8Array; readonly next: Uint8Array | undefined; readonly sweeping: boolean }
    | undefined;
  /** Loads in progress, by page (namespace and boundary as map keys): a page asked for meanwhile waits for it. */
  private readonly loading = new Map<string, Promise<Page[]>>();
  /** Which namespaces are held whole (their pages are not in {@link recency}). */
  private readonly whole: WholeNamespacePolicy;
  /** Whole-namespace loads in progress, by namespace. */
  private readonly loadingWhole = new Map<string, Promise<void>>();
  /** The index of each namespace held whole, by namespace, until its pages change. */
  private readonly indexes = new Map<string, WholeNamespace>();
  /** Uses of a namespace held whole since its pages last changed, while it has no index (see {@link wholeIndex}). */
  private readonly usesWithoutIndex = new Map<string, number>();
  /** The hashes of the ids of each namespace held whole, by namespace (see {@link heldPrefixLengths}). */
  private readonly idHashes = new Map<string, IdHashes>();

  /**
   * @param database - the pages table is read from it
   * @param cache - the aggregate nodes, where a page's group of level-1 nodes is found
   * @param capacity - records kept at most
   * @param now - the clock (milliseconds) that tells how long a namespace held whole has gone unused
   */
  constructor(
    private readonly database: KeyValueReader,
    private readonly cache: AggregateCache,
    private readonly capacity = DEFAULT_CACHED_RECORDS,
    now: () => number = () => performance.now(),
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.whole = new WholeNamespacePolicy(capacity / 2, now);
  }

  /**
   * Count and XOR of the records with `from ≤ id < to` (`to` undefined: no upper bound) among the `count` records
   * of the level-1 node starting at `boundary` (a record id, or the namespace id for the head node).
   */
  async sum(namespace: Uint8Array, boundary: Uint8Array, count: number, from: Uint8Array, to: Uint8Array | undefined): Promise<Aggregate> {
    const page = await this.page(namespace, boundary, count);
    const first = lowerBoundIn(page, from);
    const end = to === undefined ? page.count : lowerBoundIn(page, to);
    const xor = new Uint8Array(32);
    xorFingerprints(page, first, end, xor);
    return { count: Math.max(0, end - first), xor };
  }

  /**
   * The id of the `index`-th of the `count` records of the level-1 node starting at `boundary` (undefined past its
   * end), after adding the records before it (`index` of them) to `total`.
   */
  async prefix(namespace: Uint8Array, boundary: Uint8Array, count: number, index: number, total: Aggregate): Promise<Uint8Array | undefined> {
    const page = await this.page(namespace, boundary, count);
    if (index >= page.count) return undefined;
    xorFingerprints(page, 0, index, total.xor);
    total.count += index;
    return idOf(page, index);
  }

  /**
   * The ids of the namespace's records with `from ≤ id < to` (`to` undefined: no upper bound), in order, if the
   * pages held in memory have all `count` of them (`count` from the aggregates); otherwise undefined. Reads nothing.
   */
  heldIds(namespace: Uint8Array, from: Uint8Array, to: Uint8Array | undefined, count: number): Uint8Array[] | undefined {
    const pages = this.byNamespace.get(bytesToMapKey(namespace));
    if (pages === undefined) return undefined;
    const ids: Uint8Array[] = [];
    // The page that may hold `from` (the last one starting at or before it), then the ones after it before `to`.
    const start = pages.atOrBefore(from)?.[0] ?? from;
    for (const [, page] of pages.range(start, to)) {
      const end = to === undefined ? page.count : lowerBoundIn(page, to);
      for (let index = lowerBoundIn(page, from); index < end; index++) ids.push(idOf(page, index));
      if (ids.length >= count) break;
    }
    // Pages hold exact committed records: finding all of them means none lies in a page not held.
    return ids.length === count ? ids : undefined;
  }

  /**
   * Holds every page of a namespace (`total`: the count and XOR of all its records) when {@link WholeNamespacePolicy}
   * admits it — once its operations have read a share of it, if it fits beside the others held whole — read in one
   * walk and kept whole across commits, so that its range operations then read nothing (see {@link wholeIndex}).
   * `expectedLoads` piecemeal loads of `recordsPerLoad` records each, about to be made, count as made. Must run under
   * the shared commit lock.
   */
  async holdNamespace(namespace: Uint8Array, total: Aggregate, expectedLoads = 0, recordsPerLoad = 0): Promise<void> {
    const name = bytesToMapKey(namespace);
    let loading = this.loadingWhole.get(name);
    if (loading === undefined) {
      const giving = this.whole.admit(name, total.count, expectedLoads, recordsPerLoad);
      if (giving === undefined) return;
      for (const other of giving) this.release(other);
      loading = this.loadWhole(name, namespace, total);
      this.loadingWhole.set(name, loading);
      void loading.finally(() => this.loadingWhole.delete(name)).catch(() => undefined);
    }
    await loading;
  }

  /** Whether the namespace is held whole (see {@link holdNamespace}). */
  holdsWhole(namespace: Uint8Array): boolean {
    return this.whole.has(bytesToMapKey(namespace));
  }

  /**
   * The index of a namespace held whole (see {@link holdNamespace}) as of the last commit, or undefined (not held
   * whole, or not indexed yet: the caller reads through the aggregate nodes, which find every page in memory).
   * Reads nothing. Building an index takes one pass over the namespace's pages (~2 ms at 100,000 entries), so after
   * its pages change it is built again only once {@link INDEX_AFTER_USES} uses in a row find them unchanged: writes
   * between single range operations never pay for it, a sync's bursts of range operations do once. `name` is the
   * namespace's map key (`bytesToMapKey`), which a range store computes once.
   */
  wholeIndex(name: string): WholeNamespace | undefined {
    if (!this.whole.has(name)) return undefined;
    this.whole.touch(name);
    let index = this.indexes.get(name);
    if (index === undefined) {
      const uses = (this.usesWithoutIndex.get(name) ?? 0) + 1;
      if (uses < INDEX_AFTER_USES) {
        this.usesWithoutIndex.set(name, uses);
        return undefined;
      }
      const pages = this.byNamespace.get(name);
      index = new WholeNamespace(pages === undefined ? [] : Array.from(pages.entries(), ([, page]) => page));
      this.indexes.set(name, index);
    }
    return index;
  }

  /** Drops the index of a namespace whose pages change (see {@link wholeIndex}). */
  private unindex(name: string): void {
    this.indexes.delete(name);
    this.usesWithoutIndex.delete(name);
  }

  /**
   * Whether a committed record's id starts with `prefix` (a record id: the id itself counts), if the namespace is
   * held whole; undefined otherwise. Reads nothing.
   */
  holdsPrefixed(namespace: Uint8Array, prefix: Uint8Array): boolean | undefined {
    const name = bytesToMapKey(namespace);
    if (!this.whole.has(name)) return undefined;
    const pages = this.byNamespace.get(name);
    if (pages === undefined) return false;
    // The first id at or after the prefix: in the page that may hold it (the last one starting at or before it), or
    // first in a later one.
    for (const [, page] of pages.range(pages.atOrBefore(prefix)?.[0] ?? prefix, undefined)) {
      const index = lowerBoundIn(page, prefix);
      if (index === page.count) continue;
      const id = idOf(page, index);
      return id.length >= prefix.length && equalBytes(id.subarray(0, prefix.length), prefix);
    }
    return false;
  }

  /**
   * The committed page of the level-1 node starting at `boundary` if it is held, or undefined. Reads nothing. A batch
   * being built may use it where it has no pending write of the row: pages change only when a batch commits, and
   * batches are built one at a time.
   */
  heldPage(namespace: Uint8Array, boundary: Uint8Array): PageRecords | undefined {
    return this.byNamespace.get(bytesToMapKey(namespace))?.get(boundary);
  }

  /**
   * If the namespace is held whole, the lengths `ℓ ≥ from` (ascending) at which `id[0..ℓ)` is a committed record id;
   * undefined otherwise. Reads nothing: the lengths the id hashes admit are each checked by one search.
   */
  heldPrefixLengths(namespace: Uint8Array, id: Uint8Array, from: number): number[] | undefined {
    const name = bytesToMapKey(namespace);
    const hashes = this.idHashes.get(name);
    if (hashes === undefined) return undefined;
    const pages = this.byNamespace.get(name);
    return hashes.candidateLengths(id, from).filter((length) => {
      const prefix = id.subarray(0, length);
      const page = pages?.atOrBefore(prefix)?.[1];
      return page !== undefined && indexOfId(page, prefix, ID_LENGTH) >= 0;
    });
  }

  /**
   * Reads every page row of a namespace in one walk, its level-1 nodes in another at the same time, and holds both.
   * Each page is checked against its node (boundary, count and XOR) and starts at its boundary record, the ids
   * ascend across pages, and together they add up to the namespace's `total`.
   */
  private async loadWhole(name: string, namespace: Uint8Array, total: Aggregate): Promise<void> {
    const reading = this.cache.readLevelOne(namespace);
    // Awaited below; a failure of the page walk must not leave it unhandled.
    reading.catch(() => undefined);
    // Rows are decoded as they come, while the database reads the next ones.
    const pages: Page[] = [];
    for await (const [key, value] of this.database.entries(prefixBounds(pageKey(namespace)))) {
      pages.push({ namespace: name, boundary: key.subarray(1), ...decodePageRow(namespace, value) });
    }
    const nodes = await reading;
    if (pages.length !== nodes.length) throw corrupted(`${nodes.length} level-1 nodes have ${pages.length} page rows`);
    const xor = new Uint8Array(32);
    let count = 0;
    for (const [index, page] of pages.entries()) {
      checkAgainstNode(page, levelOneNodeOf(nodes[index]!));
      const previous = pages[index - 1];
      if (previous !== undefined && previous.count > 0 && page.count > 0 && compareRecords(previous, previous.count - 1, page, 0) >= 0) {
        throw corrupted('the record pages of a namespace overlap');
      }
      xorFingerprintInto(xor, pageXor(page));
      count += page.count;
    }
    if (count !== total.count || !equalBytes(xor, total.xor)) throw corrupted('the record pages of a namespace do not add up to its aggregates');
    await this.cache.holdLevelOne(namespace, nodes);
    // Every page was read again: those held so far are replaced.
    for (const [, page] of this.byNamespace.get(name)?.entries() ?? []) this.forgetPage(page);
    const held = new SortedByteMap<Page>();
    held.setAll(pages.map((page) => [page.boundary, page] as const));
    this.byNamespace.set(name, held);
    const hashes = new IdHashes(count);
    hashes.addPages(pages);
    this.idHashes.set(name, hashes);
    this.unindex(name);
    this.whole.hold(name, count);
    this.records += count;
    this.fitWholeBudget();
    this.evict();
  }

  /** Lets go of a namespace held whole: its pages stay, least recently used. */
  private release(name: string): void {
    this.whole.release(name);
    this.idHashes.delete(name);
    this.unindex(name);
    const pages = this.byNamespace.get(name);
    if (pages === undefined) return;
    for (const [, page] of pages.entries()) this.recency.add(page);
    this.evict();
  }

  /** Lets go of namespaces held whole, least recently used first, until they fit their share of the capacity. */
  private fitWholeBudget(): void {
    for (const name of this.whole.overBudget()) this.release(name);
  }

  /**
   * Replays the page rows a committed batch writes on the pages held: a rewritten page is replaced by its new row
   * (so writes keep their neighbourhood in memory), a deleted one dropped. Pages not held stay unread, except in a
   * namespace held whole, which gains its new pages.
   */
  applyCommitted(operations: readonly BatchOperation[]): void {
    if (this.records === 0 && this.loadingWhole.size === 0 && this.byNamespace.size === 0) return;
    for (const operation of operations) {
      const { key } = operation;
      if (key[0] !== TABLE.pages || key.length < 1 + 32) continue;
      const namespace = key.subarray(1, 33);
      const name = bytesToMapKey(namespace);
      const held = this.byNamespace.get(name)?.get(key.subarray(1));
      if (held === undefined && !this.whole.has(name)) continue;
      if (operation.type === 'del') {
        if (held !== undefined) this.drop(held);
        continue;
      }
      let records: PageRecords;
      try {
        records = decodePageRow(namespace, operation.value);
      } catch {
        // Read again (and reported) when next needed.
        if (held !== undefined) this.drop(held);
        if (this.whole.has(name)) this.release(name);
        continue;
      }
      this.add({ namespace: name, boundary: key.slice(1), ...records });
    }
    this.fitWholeBudget();
  }

  /** Drops a namespace's pages (after its rows were cleared). */
  forget(namespace: Uint8Array): void {
    const name = bytesToMapKey(namespace);
    this.whole.release(name);
    this.idHashes.delete(name);
    this.whole.forgetLoads(name);
    this.unindex(name);
    const pages = this.byNamespace.get(name);
    if (pages === undefined) return;
    for (const [, page] of pages.entries()) this.forgetPage(page);
    this.byNamespace.delete(name);
  }

  /**
   * The page of the level-1 node starting at `boundary`, read unless held — in a sweep with the missing pages next
   * to it (see {@link missingRun}).
   */
  private async page(namespace: Uint8Array, boundary: Uint8Array, count: number): Promise<Page> {
    const name = bytesToMapKey(namespace);
    for (;;) {
      const cached = this.byNamespace.get(name)?.get(boundary);
      if (cached !== undefined && cached.count === count) {
        // (Pages of a namespace held whole are not in the recency list.)
        if (this.recency.delete(cached)) this.recency.add(cached);
        return cached;
      }
      // Both bounds of a range often fall in the same run: the second asks while the first reads it.
      const pending = this.loading.get(name + bytesToMapKey(boundary));
      if (pending === undefined) break;
      await pending.catch(() => undefined);
    }
    const run = await this.missingRun(name, namespace, boundary);
    const keys = run.map((node) => name + bytesToMapKey(node.boundary));
    const loading = this.load(name, namespace, run);
    for (const key of keys) this.loading.set(key, loading);
    let pages: Page[];
    try {
      pages = await loading;
    } finally {
      for (const key of keys) if (this.loading.get(key) === loading) this.loading.delete(key);
    }
    let wanted: Page | undefined;
    for (const page of pages) {
      this.add(page);
      if (equalBytes(page.boundary, boundary)) wanted = page;
    }
    if (wanted === undefined || wanted.count !== count) {
      throw new StoreError(STORE_ERROR_CODES.CORRUPTED, `an aggregate node counts ${count} records, its page has ${wanted?.count ?? 0}`);
    }
    return wanted;
  }

  /**
   * What to read for the page of the level-1 node starting at `boundary`: that node alone, unless the miss follows
   * the last one (it falls in the level-2 nodes that one read, or the one after them). Then the missing pages next
   * to it (neither held nor being read) under its level-2 node are read too; and if the last miss was such a sweep
   * already and this one moved on to a later level-2 node, under the level-2 nodes after it as well — in all, up to
   * {@link RUN_RECORD_LIMIT} records. A random access thus reads one page, a range's second bound at most one level-2
   * node's pages, and only a sweep in progress reads ahead.
   */
  private async missingRun(name: string, namespace: Uint8Array, boundary: Uint8Array): Promise<LevelOneNode[]> {
    const { start } = await this.cache.levelTwoNode(namespace, boundary);
    const last = this.lastMiss;
    const sweeping =
      last !== undefined &&
      last.namespace === name &&
      compareBytes(last.start, start) <= 0 &&
      (last.next === undefined || compareBytes(start, last.next) <= 0);
    const readAhead = sweeping && last.sweeping && compareBytes(last.start, start) < 0 ? RUN_RECORD_LIMIT : 0;
    const { nodes: group, next } = await this.cache.levelOneGroup(namespace, boundary, readAhead);
    this.lastMiss = { namespace: name, start, next, sweeping };
    const index = group.findIndex((node) => equalBytes(node.boundary, boundary));
    if (index < 0) throw new StoreError(STORE_ERROR_CODES.CORRUPTED, 'the level-1 node of a record page is missing');
    if (!sweeping) return [group[index]!];
    const held = this.byNamespace.get(name);
    const missing = (node: LevelOneNode): boolean =>
      held?.get(node.boundary)?.count !== node.count && !this.loading.has(name + bytesToMapKey(node.boundary));
    let first = index;
    let end = index + 1;
    let records = group[index]!.count;
    const fits = (node: LevelOneNode): boolean => missing(node) && records + node.count <= RUN_RECORD_LIMIT;
    while (first > 0 && fits(group[first - 1]!)) records += group[--first]!.count;
    while (end < group.length && fits(group[end]!)) records += group[end++]!.count;
    return group.slice(first, end);
  }

  /**
   * Reads the page rows of level-1 nodes by their keys (their boundaries are known): synchronous point reads where
   * the database has them, which cost a few microseconds where a walk costs a couple of hundred.
   */
  private async load(name: string, namespace: Uint8Array, group: readonly LevelOneNode[]): Promise<Page[]> {
    let records = 0;
    for (const node of group) records += node.count;
    this.whole.noteLoad(name, records);
    const values = await this.database.getMany(group.map((node) => pageKey(node.boundary)));
    return group.map((node, index) => {
      const value = values[index];
      if (value === undefined) throw corrupted('the page row of a level-1 node is missing');
      const page: Page = { namespace: name, boundary: node.boundary.slice(), ...decodePageRow(namespace, value) };
      checkAgainstNode(page, node);
      return page;
    });
  }

  /** Keeps a page (replacing one of the same node), dropping the least recently used beyond the capacity. */
  private add(page: Page): void {
    let pages = this.byNamespace.get(page.namespace);
    if (pages === undefined) {
      pages = new SortedByteMap();
      this.byNamespace.set(page.namespace, pages);
    }
    this.unindex(page.namespace);
    const replaced = pages.get(page.boundary);
    if (replaced !== undefined) this.forgetPage(replaced);
    pages.set(page.boundary, page);
    this.records += page.count;
    if (this.whole.has(page.namespace)) {
      this.whole.count(page.namespace, page.count);
      this.idHashes.get(page.namespace)?.replacePage(replaced, page);
    } else {
      this.recency.add(page);
    }
    this.evict(page);
  }

  /** Drops the least recently used pages (not `keep`) while more records than the capacity are held. */
  private evict(keep?: Page): void {
    for (const oldest of this.recency) {
      if (this.records <= this.capacity || oldest === keep) break;
      this.drop(oldest);
    }
  }

  /** Removes a page from the record totals and the recency list. */
  private forgetPage(page: Page): void {
    this.records -= page.count;
    if (!this.recency.delete(page)) this.whole.count(page.namespace, -page.count);
  }

  private drop(page: Page): void {
    this.forgetPage(page);
    // (Only namespaces held whole have id hashes.)
    this.idHashes.get(page.namespace)?.removePage(page);
    this.unindex(page.namespace);
    const pages = this.byNamespace.get(page.namespace);
    if (pages === undefined) return;
    pages.delete(page.boundary);
    if (pages.size > 0) return;
    this.byNamespace.delete(page.namespace);
    this.whole.forgetLoads(page.namespace);
  }
}

/**
 * Checks a page against its level-1 node — the same boundary, as many records, and the node's XOR where it is known
 * — and that a record boundary is its page's first record (the head's page starts before every record).
 */
function checkAgainstNode(page: Page, node: LevelOneNode & { readonly xor?: Uint8Array }): void {
  if (!equalBytes(page.boundary, node.boundary)) throw corrupted('the page rows do not match the level-1 aggregate nodes');
  if (page.count !== node.count) throw corrupted(`an aggregate node counts ${node.count} records, its page row holds ${page.count}`);
  if (node.xor !== undefined && !equalBytes(pageXor(page), node.xor)) throw corrupted('a page row does not add up to its aggregate node');
  if (page.boundary.length !== ID_LENGTH && (page.count === 0 || compareIds(page, 0, page.boundary) !== 0)) {
    throw corrupted('an aggregate node does not start at its boundary record');
  }
}

function corrupted(message: string): StoreError {
  return new StoreError(STORE_ERROR_CODES.CORRUPTED, message);
}

