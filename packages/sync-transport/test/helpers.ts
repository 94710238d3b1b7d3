import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Author, NamespaceSecret, blake3, bytesToHex } from '@docs/crypto';
import { EMPTY_FINGERPRINT, entryFingerprint, writeCapability, xorFingerprintInto, type SignedEntry } from '@docs/entry';
import { Docs, Replica } from '@docs/replica';
import type { DocsStore } from '@docs/store';
import { collect, signTestEntry } from '@docs/store/conformance';
import { LevelStore } from '@docs/store-level';
import { MemoryStore } from '@docs/store-memory';
import {
  MemoryNetwork,
  NodeSecret,
  SyncEngine,
  memoryTransport,
  webSocketTransport,
  type LiveEvent,
  type SyncEngineOptions,
  type Transport,
} from '@docs/sync-transport';
import { tcpTransport } from '@docs/sync-transport/tcp';
import { expect } from 'vitest';

export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const SLOW = process.env.SLOW === '1';

/** A fixed past timestamp (µs) for test entries: never "too far in the future". */
export const BASE_TIME = 1_700_000_000_000_000n;

// ---- stores -------------------------------------------------------------------------------------------------

/** A store backend under test. */
export interface StoreKind {
  readonly name: 'memory' | 'level';
  /** A fresh empty store; `release` closes it and removes what it left on disk. */
  create(): Promise<{ readonly store: DocsStore; release(): Promise<void> }>;
}

export const MEMORY_STORE: StoreKind = {
  name: 'memory',
  async create() {
    const store = new MemoryStore();
    return { store, release: () => store.close() };
  },
};

export const LEVEL_STORE: StoreKind = {
  name: 'level',
  async create() {
    const directory = await mkdtemp(join(tmpdir(), 'docs-sync-test-'));
    const store = await LevelStore.open(directory);
    return {
      store,
      async release() {
        await store.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
};

export const STORE_KINDS: readonly StoreKind[] = [MEMORY_STORE, LEVEL_STORE];

/**
 * Checks a store's consistency for a namespace: a LevelStore runs its full integrity check; for any store, the
 * range fingerprint and count of the whole namespace must equal those recomputed from its entries.
 */
export async function expectConsistent(store: DocsStore, namespace: Uint8Array): Promise<void> {
  if (store instanceof LevelStore) {
    const report = await store.checkIntegrity();
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  }
  const entries = await collect(store.query(namespace, { includeEmpty: true }));
  const expected = EMPTY_FINGERPRINT.slice();
  for (const entry of entries) xorFingerprintInto(expected, entryFingerprint(entry.entry));
  const ranges = store.ranges(namespace);
  const first = await ranges.firstKey();
  const whole = { x: first, y: first };
  expect(await ranges.count(whole)).toBe(entries.length);
  expect(bytesToHex(await ranges.fingerprint(whole))).toBe(bytesToHex(expected));
}

/** Every entry of a namespace (tombstones included) as sorted `author/key@timestamp:hash` lines. */
export async function snapshot(store: DocsStore, namespace: Uint8Array): Promise<string[]> {
  const entries = await collect(store.query(namespace, { includeEmpty: true }));
  return entries
    .map(({ entry }) => `${bytesToHex(entry.id.author)}/${bytesToHex(entry.id.key)}@${entry.record.timestamp}:${bytesToHex(entry.record.hash)}`)
    .sort();
}

// ---- entries ------------------------------------------------------------------------------------------------

const entryCache = new Map<string, SignedEntry[]>();

/**
 * `count` signed entries of `namespace` by `author` with keys `${prefix}${index}`, content `value ${prefix}${index}`
 * and timestamps from {@link BASE_TIME} (signed once per process and cached).
 */
export async function makeEntries(
  namespace: NamespaceSecret,
  author: Author,
  prefix: string,
  count: number,
): Promise<SignedEntry[]> {
  const cacheKey = `${bytesToHex(namespace.id)}/${bytesToHex(author.id)}/${prefix}/${count}`;
  const cached = entryCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const entries: SignedEntry[] = [];
  for (let index = 0; index < count; index++) {
    entries.push(
      await signTestEntry({
        namespace,
        author,
        key: `${prefix}${index}`,
        content: `value ${prefix}${index}`,
        timestamp: BASE_TIME + BigInt(index),
      }),
    );
  }
  entryCache.set(cacheKey, entries);
  return entries;
}

/** A deterministic author or namespace for tests. */
export function testAuthor(name: string): Author {
  return Author.fromBytes(blake3(text(`sync-transport test author ${name}`)));
}
export function testNamespace(name: string): NamespaceSecret {
  return NamespaceSecret.fromBytes(blake3(text(`sync-transport test namespace ${name}`)));
}

/** Puts entries straight into a store (bulk where the backend offers it). */
export async function putAll(store: DocsStore, entries: readonly SignedEntry[]): Promise<void> {
  if (store instanceof LevelStore) {
    for (let start = 0; start < entries.length; start += 2_000) await store.putMany(entries.slice(start, start + 2_000));
    return;
  }
  for (const entry of entries) await store.put(entry);
}

// ---- transports ---------------------------------------------------------------------------------------------

/** A transport kind for engine tests: how to build it for a node and what address to listen on. */
export interface TransportKind {
  readonly name: 'memory' | 'tcp' | 'websocket';
  readonly scheme: string;
  create(identity: NodeSecret, network: MemoryNetwork): Transport;
  listenAddress(): string;
}

export const TRANSPORT_KINDS: readonly TransportKind[] = [
  {
    name: 'memory',
    scheme: 'memory',
    create: (identity, network) => memoryTransport(identity, { network }),
    listenAddress: () => 'memory://',
  },
  { name: 'tcp', scheme: 'tcp', create: (identity) => tcpTransport(identity), listenAddress: () => 'tcp://127.0.0.1:0' },
  {
    name: 'websocket',
    scheme: 'ws',
    create: (identity) => webSocketTransport(identity),
    listenAddress: () => 'ws://127.0.0.1:0/docs',
  },
];

// ---- nodes --------------------------------------------------------------------------------------------------

/** A node of a test: a store, its Docs, an engine listening on one transport, and the events it emitted. */
export interface TestNode {
  readonly name: string;
  readonly store: DocsStore;
  readonly docs: Docs;
  readonly engine: SyncEngine;
  readonly identity: NodeSecret;
  readonly events: LiveEvent[];
  readonly address: string;
  /** Its id and address, as a peer of others. */
  readonly peer: { readonly id: Uint8Array; readonly addresses: readonly string[] };
}

/** Tears down everything a test built, in reverse order. */
export class Cleanup {
  readonly #steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.#steps.splice(0).reverse()) await step();
  }
}

export interface NodeOptions {
  readonly store?: StoreKind;
  readonly transport?: TransportKind;
  readonly network?: MemoryNetwork;
  readonly identity?: NodeSecret;
  /** Wraps the node's transport (to inject faults); default none. */
  readonly wrapTransport?: (transport: Transport) => Transport;
  readonly engine?: Partial<Omit<SyncEngineOptions, 'docs' | 'transports'>>;
  /** Wraps the store handed to Docs (e.g. a lying blob store); default none. */
  readonly wrapStore?: (store: DocsStore) => DocsStore;
}

export async function startNode(cleanup: Cleanup, name: string, options: NodeOptions = {}): Promise<TestNode> {
  const transportKind = options.transport ?? TRANSPORT_KINDS[0]!;
  const storeKind = options.store ?? MEMORY_STORE;
  const network = options.network ?? new MemoryNetwork();
  const identity = options.identity ?? NodeSecret.generate();
  const { store, release } = await storeKind.create();
  cleanup.add(release);
  const docs = new Docs(options.wrapStore?.(store) ?? store);
  let transport = transportKind.create(identity, network);
  if (options.wrapTransport !== undefined) transport = options.wrapTransport(transport);
  const engine = new SyncEngine({
    docs,
    transports: { [transportKind.scheme]: transport },
    reconnectDelay: 20,
    ...options.engine,
  });
  cleanup.add(async () => {
    await engine.close();
    docs.closeAll();
  });
  const events: LiveEvent[] = [];
  engine.on((event) => events.push(event));
  const listenAddress = transportKind.name === 'memory' ? `memory://${name}-${bytesToHex(identity.id).slice(0, 8)}` : transportKind.listenAddress();
  const address = await engine.listen(listenAddress);
  return { name, store, docs, engine, identity, events, address, peer: { id: identity.id, addresses: [address] } };
}

/** Polls `check` every 10 ms until it returns a value other than undefined/false; fails after `timeout` ms. */
export async function until<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeout = 10_000,
  what = 'a condition',
): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the namespace holds the same entries on every store. */
export async function untilConverged(stores: readonly DocsStore[], namespace: Uint8Array, timeout = 20_000): Promise<string[]> {
  return until(
    async () => {
      const snapshots = await Promise.all(stores.map((store) => snapshot(store, namespace)));
      const first = JSON.stringify(snapshots[0]);
      return snapshots.every((each) => JSON.stringify(each) === first) ? snapshots[0] : undefined;
    },
    timeout,
    'the stores to converge',
  );
}

/** A replica over a store for a namespace secret (write capability), imported into the store. */
export async function writableReplica(store: DocsStore, namespace: NamespaceSecret): Promise<Replica> {
  await store.importNamespace(writeCapability(namespace));
  return new Replica(store, writeCapability(namespace));
}

/** The sync-finished events of a node, in order. */
export function syncFinished(node: TestNode): Array<Extract<LiveEvent, { type: 'sync-finished' }>> {
  return node.events.filter((event): event is Extract<LiveEvent, { type: 'sync-finished' }> => event.type === 'sync-finished');
}
