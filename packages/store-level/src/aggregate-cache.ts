import { TABLE, prefixBounds } from './key-layout.js';
import type { BatchOperation, KeyValueReader } from './key-value.js';
import { SortedByteMap } from './sorted-byte-map.js';

/** Bytes before the namespace id in an aggregate row key: table byte, level byte. */
const NAMESPACE_OFFSET = 2;

/**
 * The aggregate nodes of the namespaces in use, held in memory.
 *
 * A namespace's nodes (about one per 2^bitsPerLevel records, so a few bytes per entry) are read on its first
 * aggregate access, with one walk per level; nothing is read on open. The cache holds committed state only:
 * {@link applyCommitted} replays each committed batch under the store's exclusive commit lock, and a load never
 * overlaps a commit (loads happen under the shared lock or in the writer, which is the only committer).
 */
export class AggregateCache {
  private readonly loaded = new Map<string, SortedByteMap<Uint8Array>>();
  private readonly loading = new Map<string, Promise<SortedByteMap<Uint8Array>>>();

  constructor(
    private readonly base: KeyValueReader,
    private readonly levels: number,
  ) {}

  /** The committed aggregate nodes of a namespace (every level), loaded on first use. */
  async nodes(namespace: Uint8Array): Promise<SortedByteMap<Uint8Array>> {
    const name = namespaceName(namespace);
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

  /** Replays a committed batch on the namespaces held in memory. */
  applyCommitted(operations: readonly BatchOperation[]): void {
    for (const operation of operations) {
      const namespace = aggregateNamespace(operation.key);
      if (namespace === undefined) continue;
      // Loads never overlap commits: a namespace is either held in full or not at all.
      const nodes = this.loaded.get(namespaceName(namespace));
      if (nodes === undefined) continue;
      if (operation.type === 'put') nodes.set(operation.key, operation.value);
      else nodes.delete(operation.key);
    }
  }

  /** Drops a namespace from memory (after its rows were cleared). */
  forget(namespace: Uint8Array): void {
    this.loaded.delete(namespaceName(namespace));
  }

  private async load(namespace: Uint8Array): Promise<SortedByteMap<Uint8Array>> {
    const nodes = new SortedByteMap<Uint8Array>();
    for (let level = 1; level <= this.levels; level++) {
      const prefix = new Uint8Array(NAMESPACE_OFFSET + 32);
      prefix[0] = TABLE.aggregates;
      prefix[1] = level;
      prefix.set(namespace, NAMESPACE_OFFSET);
      for await (const [key, value] of this.base.entries(prefixBounds(prefix))) nodes.set(key, value);
    }
    return nodes;
  }
}

/** The namespace of an aggregate row key, or undefined for keys of other tables. */
function aggregateNamespace(key: Uint8Array): Uint8Array | undefined {
  if (key[0] !== TABLE.aggregates || key.length < NAMESPACE_OFFSET + 32) return undefined;
  return key.subarray(NAMESPACE_OFFSET, NAMESPACE_OFFSET + 32);
}

/** A map key for a namespace id. */
function namespaceName(namespace: Uint8Array): string {
  return String.fromCharCode(...namespace);
}
