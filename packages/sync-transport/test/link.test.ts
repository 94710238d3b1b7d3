import { blake3, bytesToHex, equalBytes } from '@docs/crypto';
import { encodeSignedEntry } from '@docs/entry';
import { AuthorHeads } from '@docs/replica';
import type { BlobStore } from '@docs/store';
import { MemoryStore } from '@docs/store-memory';
import {
  CONTENT_CHUNK_LENGTH,
  NeighborLink,
  SYNC_ERROR_CODES,
  createMemoryPair,
  decodeLiveOp,
  encodeLiveOp,
  type LinkHandlers,
  type LiveOp,
} from '@docs/sync-transport';
import { afterEach, describe, expect, test } from 'vitest';
import { Cleanup, makeEntries, testAuthor, testNamespace, text } from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const namespace = testNamespace('link');

/** The blob store of a fresh memory store. */
function blobStore(): BlobStore {
  return new MemoryStore().blobs;
}
const author = testAuthor('link');

/** A blob store that serves other bytes than it holds for `hashes` (a lying or broken peer). */
function lyingBlobs(inner: BlobStore, hashes: Uint8Array[], serve: Uint8Array): BlobStore {
  const lies = new Set(hashes.map(bytesToHex));
  return {
    put: (bytes) => inner.put(bytes),
    putStream: (chunks, options) => inner.putStream(chunks, options),
    get: (hash) => inner.get(hash),
    async getStream(hash) {
      if (!lies.has(bytesToHex(hash))) return inner.getStream(hash);
      return (async function* () {
        yield serve;
      })();
    },
    has: (hash) => inner.has(hash),
    size: (hash) => inner.size(hash),
    delete: (hash) => inner.delete(hash),
  };
}

interface Side {
  readonly link: NeighborLink;
  readonly blobs: BlobStore;
  readonly ops: LiveOp[];
  readonly running: Promise<void>;
}

async function linked(
  options: { dialerBlobs?: BlobStore; acceptorBlobs?: BlobStore; idleTimeout?: number } = {},
): Promise<{ dialer: Side; acceptor: Side }> {
  const pair = await createMemoryPair({ protocol: '/docs-live/1' });
  const dialerBlobs = options.dialerBlobs ?? blobStore();
  const acceptorBlobs = options.acceptorBlobs ?? blobStore();
  const dialerOps: LiveOp[] = [];
  const acceptorOps: LiveOp[] = [];
  const handlers = (blobs: BlobStore, ops: LiveOp[]): LinkHandlers => ({ blobs, onOp: async (op) => void ops.push(op) });
  const linkOptions = options.idleTimeout === undefined ? {} : { idleTimeout: options.idleTimeout };
  const [dialerLink, acceptorLink] = await Promise.all([
    NeighborLink.dial(pair.dialer, { namespace: namespace.id, addresses: ['memory://d'] }, handlers(dialerBlobs, dialerOps), linkOptions),
    NeighborLink.accept(pair.listener, () => ({ handlers: handlers(acceptorBlobs, acceptorOps), addresses: ['memory://a'] }), linkOptions),
  ]);
  const dialer = { link: dialerLink, blobs: dialerBlobs, ops: dialerOps, running: dialerLink.run().catch(() => undefined) };
  const acceptor = { link: acceptorLink, blobs: acceptorBlobs, ops: acceptorOps, running: acceptorLink.run().catch(() => undefined) };
  cleanup.add(async () => {
    dialerLink.abort();
    acceptorLink.abort();
    await Promise.all([dialer.running, acceptor.running]);
  });
  return { dialer, acceptor };
}

describe('live ops', () => {
  test("encode as the reference's gossip Op: Put = 0, ContentReady = 1, SyncReport = 2", async () => {
    const [entry] = await makeEntries(namespace, author, 'op/', 1);
    const hash = blake3(text('content'));
    const heads = AuthorHeads.from([[author.id, 5n]]).encode();
    const ops: LiveOp[] = [
      { type: 'put', entry: entry! },
      { type: 'content-ready', hash },
      { type: 'sync-report', namespace: namespace.id, heads },
    ];
    const encoded = ops.map((op) => bytesToHex(encodeLiveOp(op)));
    expect(encoded).toEqual([
      '00' + bytesToHex(encodeSignedEntry(entry!)),
      '01' + bytesToHex(hash),
      '02' + bytesToHex(namespace.id) + heads.length.toString(16).padStart(2, '0') + bytesToHex(heads),
    ]);
    for (const op of ops) expect(decodeLiveOp(encodeLiveOp(op))).toEqual(op);
    for (const bad of ['', '03', '01abcd', '00ff', `01${bytesToHex(hash)}00`]) {
      expect(() => decodeLiveOp(Uint8Array.from(Buffer.from(bad, 'hex'))), bad).toThrow(
        expect.objectContaining({ code: SYNC_ERROR_CODES.MALFORMED_MESSAGE }),
      );
    }
  });
});

describe('neighbour links', () => {
  test('the hellos carry each side’s addresses; ops travel both ways in order', async () => {
    const { dialer, acceptor } = await linked();
    expect(dialer.link.remoteAddresses).toEqual(['memory://a']);
    expect(acceptor.link.remoteAddresses).toEqual(['memory://d']);
    expect(dialer.link.dialed).toBe(true);
    expect(acceptor.link.dialed).toBe(false);
    const entries = await makeEntries(namespace, author, 'op/', 5);
    for (const entry of entries) await dialer.link.sendOp({ type: 'put', entry });
    await acceptor.link.sendOp({ type: 'content-ready', hash: blake3(text('x')) });
    await expect.poll(() => acceptor.ops.length).toBe(5);
    await expect.poll(() => dialer.ops.length).toBe(1);
    expect(acceptor.ops.map((op) => (op.type === 'put' ? bytesToHex(op.entry.entry.id.key) : op.type))).toEqual(
      entries.map((entry) => bytesToHex(entry.entry.id.key)),
    );
  });

  test('an acceptor that refuses the hello aborts; the dial fails and nothing runs', async () => {
    const pair = await createMemoryPair({ protocol: '/docs-live/1' });
    const refusal = new Error('not syncing that');
    const results = await Promise.allSettled([
      NeighborLink.dial(pair.dialer, { namespace: namespace.id, addresses: [] }, { blobs: blobStore(), onOp: async () => undefined }),
      NeighborLink.accept(pair.listener, () => {
        throw refusal;
      }),
    ]);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { code: SYNC_ERROR_CODES.CONNECTION_LOST } });
    expect(results[1]).toMatchObject({ status: 'rejected', reason: refusal });
  });

  test('content is fetched both ways, in chunks, verified and stored; unknown content resolves undefined', async () => {
    const { dialer, acceptor } = await linked();
    const large = new Uint8Array(3 * CONTENT_CHUNK_LENGTH + 123).map((_, index) => index % 251);
    const small = text('small content');
    const { hash: largeHash } = await acceptor.blobs.put(large);
    const { hash: smallHash } = await dialer.blobs.put(small);
    const [fetchedLarge, fetchedSmall, missing] = await Promise.all([
      dialer.link.fetch(largeHash, BigInt(large.length)),
      acceptor.link.fetch(smallHash),
      dialer.link.fetch(blake3(text('nobody has this'))),
    ]);
    expect(fetchedLarge).toEqual({ hash: largeHash, length: BigInt(large.length) });
    expect(fetchedSmall?.length).toBe(BigInt(small.length));
    expect(missing).toBeUndefined();
    expect(equalBytes((await dialer.blobs.get(largeHash))!, large)).toBe(true);
    expect(await acceptor.blobs.get(smallHash)).toEqual(small);
  });

  test('a neighbour serving wrong bytes is detected, nothing is stored, and the honest neighbour’s copy is', async () => {
    const content = text('the real content');
    const hash = blake3(content);
    const honestStore = blobStore();
    await honestStore.put(content);
    const liarStore = blobStore();
    await liarStore.put(content);
    const fetcherBlobs = blobStore();
    const liar = await linked({ dialerBlobs: fetcherBlobs, acceptorBlobs: lyingBlobs(liarStore, [hash], text('forged bytes!!!!')) });
    await expect(liar.dialer.link.fetch(hash, BigInt(content.length))).rejects.toMatchObject({ code: 'DOCS_STORE_CONTENT_MISMATCH' });
    expect(await fetcherBlobs.has(hash)).toBe(false);
    expect(await fetcherBlobs.has(blake3(text('forged bytes!!!!')))).toBe(false);
    // The link survives a bad answer.
    await liar.dialer.link.sendOp({ type: 'content-ready', hash });
    await expect.poll(() => liar.acceptor.ops.length).toBe(1);
    const honest = await linked({ dialerBlobs: fetcherBlobs, acceptorBlobs: honestStore });
    expect(await honest.dialer.link.fetch(hash, BigInt(content.length))).toEqual({ hash, length: BigInt(content.length) });
    expect(await fetcherBlobs.get(hash)).toEqual(content);
  });

  test('a neighbour serving more bytes than the entry announced is cut off; the rest of its answer is dropped', async () => {
    const content = new Uint8Array(5 * CONTENT_CHUNK_LENGTH).fill(7);
    const acceptorBlobs = blobStore();
    const { hash } = await acceptorBlobs.put(content);
    const { dialer, acceptor } = await linked({ acceptorBlobs });
    await expect(dialer.link.fetch(hash, 1000n)).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONTENT_UNAVAILABLE });
    expect(await dialer.blobs.has(hash)).toBe(false);
    // Late chunks of the cancelled request do not break the link: the next fetch works.
    const other = text('next');
    const { hash: otherHash } = await acceptor.blobs.put(other);
    expect(await dialer.link.fetch(otherHash, 4n)).toEqual({ hash: otherHash, length: 4n });
  });

  test('a fetch that receives nothing times out; an idle link is kept up by keep-alives', async () => {
    const never: BlobStore = { ...methodsOf(blobStore()), getStream: () => new Promise(() => undefined) };
    const { dialer } = await linked({ acceptorBlobs: never, idleTimeout: 200 });
    const started = performance.now();
    await expect(dialer.link.fetch(blake3(text('slow')))).rejects.toMatchObject({ code: SYNC_ERROR_CODES.TIMEOUT });
    expect(performance.now() - started).toBeGreaterThanOrEqual(190);
    await new Promise((resolve) => setTimeout(resolve, 500)); // more than twice the idle timeout, no traffic
    await dialer.link.sendOp({ type: 'content-ready', hash: blake3(text('still up')) });
  });

  test('a neighbour that goes silent is dropped after the idle timeout (DOCS_SYNC_TIMEOUT)', async () => {
    const pair = await createMemoryPair({ protocol: '/docs-live/1' });
    const handlers: LinkHandlers = { blobs: blobStore(), onOp: async () => undefined };
    // The acceptor side answers the hello by hand, then never sends or reads anything again.
    const accepting = (async () => {
      await pair.listener.read();
      const reply = encodeHello(namespace.id);
      await pair.listener.write(reply);
    })();
    const link = await NeighborLink.dial(pair.dialer, { namespace: namespace.id, addresses: [] }, handlers, { idleTimeout: 150 });
    await accepting;
    const started = performance.now();
    await expect(link.run()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.TIMEOUT });
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test('close ends the link: the neighbour’s run resolves', async () => {
    const { dialer, acceptor } = await linked();
    await dialer.link.sendOp({ type: 'content-ready', hash: blake3(text('last')) });
    await dialer.link.close();
    await acceptor.running;
    expect(acceptor.ops).toHaveLength(1);
  });
});

function methodsOf(store: BlobStore): BlobStore {
  return {
    put: (bytes) => store.put(bytes),
    putStream: (chunks, options) => store.putStream(chunks, options),
    get: (hash) => store.get(hash),
    getStream: (hash) => store.getStream(hash),
    has: (hash) => store.has(hash),
    size: (hash) => store.size(hash),
    delete: (hash) => store.delete(hash),
  };
}

/** A framed hello (`u32 length ‖ namespace ‖ no addresses`). */
function encodeHello(id: Uint8Array): Uint8Array {
  const frame = new Uint8Array(4 + 33);
  new DataView(frame.buffer).setUint32(0, 33);
  frame.set(id, 4);
  return frame;
}
