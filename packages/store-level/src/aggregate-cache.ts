import { bytesToMapKey } from '@docs/crypto';
import { CoveredIntervals } from './covered-intervals.js';
import { TABLE, aggregateKey, prefixBounds } from './key-layout.js';
import { aggregateCount, decodeAggregate } from './fingerprint-aggregates.js';
import { successorKey, type BatchOperation, type KeyValueReader } from './key-value.js';
import { SortedByteMap } from './sorted-byte-map.js';

/** Bytes before the boundary in an aggregate row key: table byte, level byte. */
const BOUNDARY_OFFSET = 2;

/** A level-1 node: its boundary and how many records it holds. */
export interface LevelOneNode {
  readonly boundary: Uint8Array;
  readonly count: number;
}

/** The level-1 nodes under consecutive level-2 nodes, and where the next level-2 node starts (undefined: nowhere). */
export interface LevelOneGroup {
  readonly nodes: readonly LevelOneNode[];
  readonly next: Uint8Array | undefined;
}

/** One namespace's nodes in memory. */
interface NamespaceNodes {
  /** Node rows: every level ≥ 2, and level 1 where {@link levelOne} says so. */
  readonly rows: SortedByteMap<Uint8Array>;
  /** The boundary intervals whose level-1 nodes are all in {@link rows}. */
  readonly levelOne: CoveredIntervals;
  /** Settles when the level-1 loads started so far have (see {@link AggregateCache.ensureLevelOne}). */
  levelOneLoads: Promise<void>;
  /** Every level-1 node is in {@link rows} (a single level, or every page loaded): nothing is left to check. */
  levelOneComplete: boolean;
}

/**
 * The aggregate nodes of the namespaces in use, held in memory.
 *
 * The upper levels (2 and above: one node per ~256 entries with the default shape) of a namespace are read on
 * its first aggregate access; level-1 nodes (one per ~16 entries) are read by **pages** — the level-1 nodes under
 * one level-2 node, one short walk — when an operation first needs them ({@link ensureLevelOne}). So nothing is
 * read on open, and the first range operation after it reads a few hundred rows even for a million entries.
 *
 * The cache holds committed state only: {@link applyCommitted} replays each committed batch under the store's
 * exclusive commit lock, and loads never overlap a commit (they happen under the shared lock, or in the writer,
 * which is the only committer).
 */
export class AggregateCache {
  private readonly loaded = new Map<string, NamespaceNodes>();
  private readonly loading = new Map<string, Promise<NamespaceNodes>>();

  constructor(
    private readonly base: KeyValueReader,
    private readonly levels: number,
  ) {}

  /**
   * The committed node rows of a namespace, upper levels loaded. Level-1 rows are only reliable where
   * {@link ensureLevelOne} was awaited.
   */
  async nodes(namespace: Uint8Array): Promise<SortedByteMap<Uint8Array>> {
    return (await this.namespaceNodes(namespace)).rows;
  }

  /**
   * Loads the level-1 pages an operation on record ids in `[from, to]` needs (undefined: the namespace's end):
   * from the last level-2 boundary before `from` (the page holding `from`, or ending at it) to the first level-2
   * boundary at or after `to`.
   */
  async ensureLevelOne(namespace: Uint8Array, from: Uint8Array | undefined, to: Uint8Array | undefined): Promise<void> {
    const nodes = await this.namespaceNodes(namespace);
    if (nodes.levelOneComplete) return;
    const { rows, levelOne } = nodes;
    const start = this.levelTwoBefore(rows, namespace, from === undefined ? undefined : aggregateKey(2, from));
    const end = to === undefined ? undefined : this.levelTwoAtOrAfter(rows, namespace, aggregateKey(2, to));
    if (levelOne.missing(start, end).length === 0) return;
    // One load at a time per namespace, each reading only what is still missing: concurrent operations near each
    // other would otherwise read the same pages.
    const load = async (): Promise<void> => {
      for (const gap of levelOne.missing(start, end)) {
        const lt = gap.to === undefined ? levelEnd(1, namespace) : aggregateKey(1, gap.to);
        for await (const [key, value] of this.base.entries({ gte: aggregateKey(1, gap.from), lt })) rows.set(key, value);
        levelOne.add(gap.from, gap.to);
      }
      nodes.levelOneComplete = levelOne.missing(namespace, undefined).length === 0;
    };
    const loaded = nodes.levelOneLoads.then(load, load);
    nodes.levelOneLoads = loaded.catch(() => undefined);
    await loaded;
  }

  /** Reads the rows of every level-1 node of a namespace, in order (see {@link levelOneNodeOf}). */
  async readLevelOne(namespace: Uint8Array): Promise<Array<[Uint8Array, Uint8Array]>> {
    const rows: Array<[Uint8Array, Uint8Array]> = [];
    for await (const row of this.base.entries(prefixBounds(aggregateKey(1, namespace)))) rows.push(row);
    return rows;
  }

  /**
   * Holds the rows of every level-1 node of a namespace, as {@link readLevelOne} read them under the same shared
   * commit lock (so they are the committed ones): no walk needs to read them again.
   */
  async holdLevelOne(namespace: Uint8Array, rows: ReadonlyArray<readonly [Uint8Array, Uint8Array]>): Promise<void> {
    const held = await this.namespaceNodes(namespace);
    if (held.levelOneComplete) return;
    held.rows.setAll(rows);
    held.levelOne.add(namespace, undefined);
    held.levelOneComplete = true;
  }

  /**
   * Where the level-2 node whose records hold `boundary` (a level-1 boundary: a record id, or the namespace id for the
   * head) starts, and where the next one starts (undefined: the namespace's end). Reads nothing once the namespace's
   * upper levels are loaded. With a single level, `boundary` itself and its successor.
   */
  async levelTwoNode(namespace: Uint8Array, boundary: Uint8Array): Promise<{ start: Uint8Array; next: Uint8Array | undefined }> {
    const after = successorKey(boundary);
    if (this.levels < 2) return { start: boundary, next: after };
    const { rows } = await this.namespaceNodes(namespace);
    return { start: this.levelTwoBefore(rows, namespace, aggregateKey(2, after)), next: this.levelTwoAtOrAfter(rows, namespace, aggregateKey(2, after)) };
  }

  /**
   * The level-1 nodes under the level-2 node whose records hold `boundary` (see {@link levelTwoNode}) and the
   * level-2 nodes after it while their records add up to at most `readAhead`, in order — each node's boundary and
   * record count — and where the next level-2 node after them starts (undefined: the namespace's end). Loads them if
   * needed. With a single level, the node of `boundary`.
   */
  async levelOneGroup(namespace: Uint8Array, boundary: Uint8Array, readAhead = 0): Promise<LevelOneGroup> {
    const { start, next: first } = await this.levelTwoNode(namespace, boundary);
    const { rows } = await this.namespaceNodes(namespace);
    let next = first;
    if (this.levels >= 2 && first !== undefined && readAhead > 0) {
      // The records under the level-2 node of `boundary` (its row is absent for an empty head), then those after it.
      const own = rows.get(aggregateKey(2, start));
      let records = own === undefined ? 0 : aggregateCount(own);
      next = undefined;
      rows.walk(aggregateKey(2, first), levelEnd(2, namespace), (key, value) => {
        records += aggregateCount(value);
        if (records <= readAhead) return false;
        next = key.subarray(BOUNDARY_OFFSET);
        return true;
      });
    }
    await this.ensureLevelOne(namespace, successorKey(boundary), next);
    const nodes: LevelOneNode[] = [];
    const to = next === undefined ? levelEnd(1, namespace) : aggregateKey(1, next);
    rows.walk(aggregateKey(1, start), to, (key, value) => {
      nodes.push({ boundary: key.subarray(BOUNDARY_OFFSET), count: aggregateCount(value) });
    });
    return { nodes, next };
  }

  /** The last level-2 boundary whose row sorts below `key` (`undefined`: the level's end), or the namespace (the head). */
  private levelTwoBefore(rows: SortedByteMap<Uint8Array>, namespace: Uint8Array, key: Uint8Array | undefined): Uint8Array {
    const found = rows.before(key ?? levelEnd(2, namespace));
    return found !== undefined && isLevelRowOf(found[0], 2, namespace) ? found[0].subarray(BOUNDARY_OFFSET) : namespace;
  }

  /** The first level-2 boundary whose row is at or after `key`, or undefined (the namespace's end). */
  private levelTwoAtOrAfter(rows: SortedByteMap<Uint8Array>, namespace: Uint8Array, key: Uint8Array): Uint8Array | undefined {
    const found = rows.atOrAfter(key);
    return found !== undefined && isLevelRowOf(found[0], 2, namespace) ? found[0].subarray(BOUNDARY_OFFSET) : undefined;
  }

  /** Replays a committed batch on the namespaces held in memory. */
  applyCommitted(operations: readonly BatchOperation[]): void {
    for (const operation of operations) {
      const namespace = aggregateNamespace(operation.key);
      if (namespace === undefined) continue;
      // Loads never overlap commits: a namespace is either held or not at all. Level-1 rows outside the loaded
      // pages may be added here; they are exact, and a page load fills in the rest.
      const nodes = this.loaded.get(bytesToMapKey(namespace));
      if (nodes === undefined) continue;
      if (operation.type === 'put') nodes.rows.set(operation.key, operation.value);
      else nodes.rows.delete(operation.key);
    }
  }

  /** Drops a namespace from memory (after its rows were cleared). */
  forget(namespace: Uint8Array): void {
    this.loaded.delete(bytesToMapKey(namespace));
  }

  private async namespaceNodes(namespace: Uint8Array): Promise<NamespaceNodes> {
    const name = bytesToMapKey(namespace);
    const nodes = this.loaded.get(name);
    if (nodes !== undefined) return nodes;
    let loading = this.loading.get(name);
    if (loading === undefined) {
      loading = this.load(namespace);
      this.loading.set(name, loading);
    }
    try {
      const loaded = await loading;
      this.loaded.set(name, loaded);
      return loaded;
    } finally {
      this.loading.delete(name);
    }
  }

  /** Reads the upper levels (all of level 1 too when there is no level 2). */
  private async load(namespace: Uint8Array): Promise<NamespaceNodes> {
    const nodes: NamespaceNodes = {
      rows: new SortedByteMap(),
      levelOne: new CoveredIntervals(),
      levelOneLoads: Promise.resolve(),
      levelOneComplete: this.levels < 2,
    };
    for (let level = this.levels < 2 ? 1 : 2; level <= this.levels; level++) {
      for await (const [key, value] of this.base.entries(prefixBounds(aggregateKey(level, namespace)))) {
        nodes.rows.set(key, value);
      }
    }
    return nodes;
  }
}

/** The level-1 node of an aggregate row: its boundary, record count and XOR (a copy). */
export function levelOneNodeOf([key, value]: readonly [Uint8Array, Uint8Array]): LevelOneNode & { readonly xor: Uint8Array } {
  const { count, xor } = decodeAggregate(value);
  return { boundary: key.subarray(BOUNDARY_OFFSET), count, xor };
}

/** The first key after a namespace's rows of `level`. */
function levelEnd(level: number, namespace: Uint8Array): Uint8Array {
  return prefixBounds(aggregateKey(level, namespace)).lt;
}

/** Whether an aggregate row key belongs to `level` of `namespace`. */
function isLevelRowOf(key: Uint8Array, level: number, namespace: Uint8Array): boolean {
  if (key[0] !== TABLE.aggregates || key[1] !== level || key.length < BOUNDARY_OFFSET + 32) return false;
  for (let index = 0; index < 32; index++) if (key[BOUNDARY_OFFSET + index] !== namespace[index]) return false;
  return true;
}

/** The namespace of an aggregate row key, or undefined for keys of other tables. */
function aggregateNamespace(key: Uint8Array): Uint8Array | undefined {
  if (key[0] !== TABLE.aggregates || key.length < BOUNDARY_OFFSET + 32) return undefined;
  return key.subarray(BOUNDARY_OFFSET, BOUNDARY_OFFSET + 32);
}
