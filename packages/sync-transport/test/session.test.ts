import { Author, NamespaceSecret, bytesToHex, concatBytes } from '@docs/crypto';
import {
  EMPTY_HASH,
  RecordIdentifier,
  createRecord,
  encodeSignedEntry,
  readCapability,
  signEntry,
  writeCapability,
  type SignedEntry,
} from '@docs/entry';
import { DEFAULT_FRAME_BUDGET, SYNC_MODES } from '@docs/rbsr';
import { Replica, type ReplicaOptions, type SyncMessage } from '@docs/replica';
import type { DocsStore } from '@docs/store';
import { MemoryStore } from '@docs/store-memory';
import {
  DEFAULT_MAX_FRAME_LENGTH,
  FramedChannel,
  MESSAGE_ENVELOPE_ALLOWANCE,
  RemoteAbortError,
  SYNC_ERROR_CODES,
  SyncRejectedError,
  createMemoryPair,
  decodeProtocolMessage,
  encodeFrame,
  encodeProtocolMessage,
  syncAsAcceptor,
  syncAsDialer,
  type AbortReason,
  type ByteStream,
  type ProtocolMessage,
  type SessionOptions,
  type SyncProgress,
} from '@docs/sync-transport';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Cleanup,
  STORE_KINDS,
  expectConsistent,
  makeEntries,
  putAll,
  snapshot,
  testAuthor,
  testNamespace,
  text,
} from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A stream that records every chunk written through it and can fail on a chosen write. */
class TappedStream implements ByteStream {
  readonly written: Uint8Array[] = [];
  readonly #inner: ByteStream;
  readonly #failOnWrite: number | undefined;

  constructor(inner: ByteStream, failOnWrite?: number) {
    this.#inner = inner;
    this.#failOnWrite = failOnWrite;
  }

  get remotePeer() {
    return this.#inner.remotePeer;
  }
  get protocol() {
    return this.#inner.protocol;
  }
  read() {
    return this.#inner.read();
  }
  async write(chunk: Uint8Array) {
    if (this.written.length + 1 === this.#failOnWrite) {
      // The peer vanishes in the middle of this frame: half of it goes out, then the connection drops.
      await this.#inner.write(chunk.subarray(0, chunk.length >> 1));
      this.#inner.abort(new Error('the peer vanished'));
      throw new Error('the peer vanished');
    }
    this.written.push(chunk.slice());
    return this.#inner.write(chunk);
  }
  end() {
    return this.#inner.end();
  }
  abort(error?: unknown) {
    this.#inner.abort(error);
  }
  setIdleTimeout(milliseconds: number | undefined) {
    this.#inner.setIdleTimeout(milliseconds);
  }
}

async function replicaOn(store: DocsStore, namespace: NamespaceSecret, options: ReplicaOptions = {}): Promise<Replica> {
  await store.importNamespace(writeCapability(namespace));
  return new Replica(store, writeCapability(namespace), options);
}

async function memoryReplica(namespace: NamespaceSecret, entries: readonly SignedEntry[] = [], options: ReplicaOptions = {}) {
  const store = new MemoryStore();
  cleanup.add(() => store.close());
  const replica = await replicaOn(store, namespace, options);
  await putAll(store, entries);
  return { store, replica };
}

async function sync(dialer: Replica, acceptor: Replica, options: SessionOptions = {}) {
  const pair = await createMemoryPair();
  const [dialed, accepted] = await Promise.all([
    syncAsDialer(pair.dialer, dialer, options),
    syncAsAcceptor(pair.listener, () => ({ replica: acceptor }), options),
  ]);
  return { dialed, accepted };
}

const hex = bytesToHex;

describe('the reference trace (§4.2 byte examples, golden entry of §6.1)', () => {
  const namespace = NamespaceSecret.fromBytes(new Uint8Array(32).fill(0xb2));
  const author = Author.fromBytes(new Uint8Array(32).fill(0xa1));
  const rid = RecordIdentifier.of(namespace.id, author.id, text('wire-format-test'));
  const ridHex = hex(rid.bytes);

  async function golden(): Promise<SignedEntry> {
    return signEntry({ id: rid, record: createRecord(EMPTY_HASH, 0, 1_700_000_000_000_000n) }, namespace, author);
  }

  test.each([
    ['compat', SYNC_MODES.compat],
    ['tuned', SYNC_MODES.tuned],
  ] as const)('Alice holds the golden entry, Bob is empty (%s settings): 229-byte Init, 167-byte empty RangeItem, 418-byte final Sync', async (_mode, settings) => {
    const entry = await golden();
    expect(hex(encodeSignedEntry(entry))).toMatch(/^4b523f1b6d9b00a4/); // the §6.1 golden postcard
    const alice = await memoryReplica(namespace, [entry], { sync: settings });
    await alice.store.blobs.put(new Uint8Array(0)); // the empty content is held: status Complete
    const bob = await memoryReplica(namespace, [], { sync: settings });
    const pair = await createMemoryPair();
    const dialer = new TappedStream(pair.dialer);
    const listener = new TappedStream(pair.listener);
    const [dialed, accepted] = await Promise.all([
      syncAsDialer(dialer, alice.replica),
      syncAsAcceptor(listener, () => ({ replica: bob.replica })),
    ]);

    const fingerprint = hex(
      (await alice.store.ranges(namespace.id).fingerprint({ x: rid.bytes, y: rid.bytes })),
    );
    expect(dialer.written.map(hex)).toEqual([
      '000000e5' + '00' + hex(namespace.id) + '01' + '00' + '50' + ridHex + '50' + ridHex + fingerprint,
      '000001a2' + '01' + '01' + '01' + '50' + ridHex + '50' + ridHex + '01' + hex(encodeSignedEntry(entry)) + '00' + '01',
    ]);
    expect(listener.written.map(hex)).toEqual(['000000a7' + '01' + '01' + '01' + '50' + ridHex + '50' + ridHex + '00' + '00']);
    expect(await snapshot(bob.store, namespace.id)).toEqual(await snapshot(alice.store, namespace.id));
    expect(dialed.stats).toMatchObject({ entriesSent: 1, entriesReceived: 0, roundTrips: 2, bytesSent: 233 + 422, bytesReceived: 171 });
    expect(accepted.stats).toMatchObject({ entriesSent: 0, entriesReceived: 1, roundTrips: 2, bytesSent: 171, bytesReceived: 233 + 422 });
    expect(hex(accepted.namespace)).toBe(hex(namespace.id));
  });

  test('an empty Alice opens with the 197-byte Init of the empty set, and receives the entry', async () => {
    const entry = await golden();
    const alice = await memoryReplica(namespace, [], { sync: SYNC_MODES.compat });
    const bob = await memoryReplica(namespace, [entry], { sync: SYNC_MODES.compat });
    const pair = await createMemoryPair();
    const dialer = new TappedStream(pair.dialer);
    await Promise.all([syncAsDialer(dialer, alice.replica), syncAsAcceptor(pair.listener, () => ({ replica: bob.replica }))]);
    expect(hex(dialer.written[0]!)).toBe(
      '000000c5' + '00' + hex(namespace.id) + '01' + '00' + '40' + '00'.repeat(64) + '40' + '00'.repeat(64) +
        'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262',
    );
    expect(await snapshot(alice.store, namespace.id)).toEqual(await snapshot(bob.store, namespace.id));
  });
});

describe('sessions', () => {
  const namespace = testNamespace('session');
  const author = testAuthor('alice');

  test('two replicas with overlapping sets converge; stats and progress are reported', async () => {
    const all = await makeEntries(namespace, author, 'k/', 300);
    const alice = await memoryReplica(namespace, all.filter((_, index) => index % 3 !== 0));
    const bob = await memoryReplica(namespace, all.filter((_, index) => index % 3 !== 1));
    const progress: SyncProgress[] = [];
    const { dialed, accepted } = await sync(alice.replica, bob.replica, { onProgress: (each) => progress.push(each) });
    expect(await snapshot(alice.store, namespace.id)).toHaveLength(300);
    expect(await snapshot(bob.store, namespace.id)).toEqual(await snapshot(alice.store, namespace.id));
    expect(dialed.stats.entriesReceived).toBeGreaterThanOrEqual(100);
    expect(accepted.stats.entriesReceived).toBeGreaterThanOrEqual(100);
    expect(dialed.stats.entriesSent).toBe(accepted.stats.entriesReceived);
    expect(dialed.stats.bytesSent).toBe(accepted.stats.bytesReceived);
    expect(dialed.stats.bytesReceived).toBe(accepted.stats.bytesSent);
    expect(dialed.stats.roundTrips).toBe(accepted.stats.roundTrips);
    expect(dialed.stats.entriesInvalid).toBe(0);
    expect(dialed.stats.totalMs).toBeGreaterThanOrEqual(dialed.stats.processMs);
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)!.messages).toBeGreaterThan(progress[0]!.messages);
  });

  test('replies larger than the frame budget travel in several frames, each within the frame limit', async () => {
    // A 20 kB budget and a frame limit of the budget plus the envelope allowance, as the defaults are built
    // (DEFAULT_MAX_FRAME_LENGTH is the 4 MiB default budget plus MESSAGE_ENVELOPE_ALLOWANCE).
    expect(DEFAULT_MAX_FRAME_LENGTH).toBe(DEFAULT_FRAME_BUDGET + MESSAGE_ENVELOPE_ALLOWANCE);
    const frameBudget = 20_000;
    const maxFrameLength = frameBudget + MESSAGE_ENVELOPE_ALLOWANCE;
    const entries = await makeEntries(namespace, author, 'budget/', 400);
    const alice = await memoryReplica(namespace, entries.slice(0, 50), { sync: { frameBudget } });
    const bob = await memoryReplica(namespace, entries.slice(50), { sync: { frameBudget } });
    const pair = await createMemoryPair();
    const dialer = new TappedStream(pair.dialer);
    const listener = new TappedStream(pair.listener);
    const [dialed] = await Promise.all([
      syncAsDialer(dialer, alice.replica, { maxFrameLength }),
      syncAsAcceptor(listener, () => ({ replica: bob.replica }), { maxFrameLength }),
    ]);
    const frames = [...dialer.written, ...listener.written];
    expect(Math.max(...frames.map((frame) => frame.length - 4))).toBeLessThanOrEqual(maxFrameLength);
    expect(listener.written.filter((frame) => frame.length > frameBudget / 2).length).toBeGreaterThan(3);
    expect(dialed.stats.entriesReceived).toBeGreaterThanOrEqual(350);
    expect(await snapshot(alice.store, namespace.id)).toEqual(await snapshot(bob.store, namespace.id));
  });

  test('a read-only replica syncs both ways (it receives, and it serves what it holds)', async () => {
    const all = await makeEntries(namespace, author, 'ro/', 40);
    const writer = await memoryReplica(namespace, all.slice(0, 30));
    const store = new MemoryStore();
    cleanup.add(() => store.close());
    await store.importNamespace(readCapability(namespace.id));
    await putAll(store, all.slice(20));
    const reader = new Replica(store, readCapability(namespace.id));
    await sync(reader, writer.replica);
    expect(await snapshot(store, namespace.id)).toHaveLength(40);
    expect(await snapshot(writer.store, namespace.id)).toHaveLength(40);
    await expect(reader.hashAndInsert(text('mine'), author, text('x'))).rejects.toMatchObject({ code: 'DOCS_REPLICA_READ_ONLY' });
  });
});

describe('abort reasons', () => {
  const namespace = testNamespace('abort');

  test.each(['not-found', 'already-syncing', 'internal-server-error'] as const)(
    'an acceptor refusing with %s sends Abort; the dialer gets RemoteAbortError with that reason',
    async (reason: AbortReason) => {
      const alice = await memoryReplica(namespace);
      const pair = await createMemoryPair();
      const listener = new TappedStream(pair.listener);
      const [dialed, accepted] = await Promise.allSettled([
        syncAsDialer(pair.dialer, alice.replica),
        syncAsAcceptor(listener, () => ({ reject: reason })),
      ]);
      expect(dialed.status).toBe('rejected');
      const remote = (dialed as PromiseRejectedResult).reason as RemoteAbortError;
      expect(remote).toBeInstanceOf(RemoteAbortError);
      expect(remote).toMatchObject({ code: SYNC_ERROR_CODES.REMOTE_ABORT, reason });
      const local = (accepted as PromiseRejectedResult).reason as SyncRejectedError;
      expect(local).toBeInstanceOf(SyncRejectedError);
      expect(local).toMatchObject({ code: SYNC_ERROR_CODES.REJECTED, reason });
      const tag = { 'not-found': '00', 'already-syncing': '01', 'internal-server-error': '02' }[reason];
      expect(listener.written.map(hex)).toEqual([`0000000202${tag}`]);
    },
  );

  test('an accept callback that throws answers InternalServerError and keeps the error as cause', async () => {
    const alice = await memoryReplica(namespace);
    const pair = await createMemoryPair();
    const failure = new Error('the actor is gone');
    const [dialed, accepted] = await Promise.allSettled([
      syncAsDialer(pair.dialer, alice.replica),
      syncAsAcceptor(pair.listener, () => {
        throw failure;
      }),
    ]);
    expect((dialed as PromiseRejectedResult).reason).toMatchObject({ reason: 'internal-server-error' });
    expect((accepted as PromiseRejectedResult).reason).toMatchObject({ code: SYNC_ERROR_CODES.REJECTED, cause: failure });
  });
});

/** A hand-driven peer on one end of a memory pair: sends and receives protocol messages frame by frame. */
async function rawPeer(role: 'dialer' | 'listener') {
  const pair = await createMemoryPair();
  const own = role === 'dialer' ? pair.dialer : pair.listener;
  const other = role === 'dialer' ? pair.listener : pair.dialer;
  const frames = new FramedChannel(own);
  return {
    stream: other,
    own,
    frames,
    send: (message: ProtocolMessage) => frames.send(encodeProtocolMessage(message)),
    async receive(): Promise<ProtocolMessage | undefined> {
      const frame = await frames.receive();
      return frame === undefined ? undefined : decodeProtocolMessage(frame);
    },
  };
}

describe('protocol violations, malformed and oversized frames', () => {
  const namespace = testNamespace('violations');

  async function acceptorFails(drive: (peer: Awaited<ReturnType<typeof rawPeer>>) => Promise<void>, options: SessionOptions = {}) {
    const bob = await memoryReplica(namespace);
    const peer = await rawPeer('dialer');
    const accepted = syncAsAcceptor(peer.stream, () => ({ replica: bob.replica }), options);
    await drive(peer).catch(() => undefined);
    return accepted.then(
      () => undefined,
      (error: unknown) => error,
    );
  }

  const init = async (): Promise<ProtocolMessage> => ({
    type: 'init',
    namespace: namespace.id,
    message: await new Replica(new MemoryStore(), readCapability(namespace.id)).syncInitialMessage(),
  });

  test('Sync before Init, a second Init, an Abort from the dialer, and an early close are protocol violations', async () => {
    const message: SyncMessage = { parts: [] };
    const cases: Array<(peer: Awaited<ReturnType<typeof rawPeer>>) => Promise<void>> = [
      (peer) => peer.send({ type: 'sync', message }),
      async (peer) => {
        await peer.send(await init());
        await peer.receive();
        await peer.send(await init());
      },
      async (peer) => {
        await peer.send(await init());
        await peer.receive();
        await peer.send({ type: 'abort', reason: 'not-found' });
      },
      (peer) => peer.frames.end(),
    ];
    for (const drive of cases) {
      expect(await acceptorFails(drive)).toMatchObject({ code: SYNC_ERROR_CODES.PROTOCOL_VIOLATION });
    }
  });

  test('the dialer refuses an Init from the acceptor', async () => {
    const alice = await memoryReplica(namespace);
    const peer = await rawPeer('listener');
    const dialed = syncAsDialer(peer.stream, alice.replica);
    await peer.receive();
    await peer.send(await init());
    await expect(dialed).rejects.toMatchObject({ code: SYNC_ERROR_CODES.PROTOCOL_VIOLATION });
  });

  test('a malformed frame, an oversized frame and a message over the part limit end the session with their codes', async () => {
    expect(await acceptorFails((peer) => peer.own.write(encodeFrame(Uint8Array.of(9, 9, 9))))).toMatchObject({
      code: SYNC_ERROR_CODES.MALFORMED_MESSAGE,
    });
    expect(await acceptorFails((peer) => peer.own.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0)))).toMatchObject({
      code: SYNC_ERROR_CODES.FRAME_TOO_LARGE,
    });
    const parts = Array.from({ length: 5 }, () => ({ kind: 'fingerprint' as const, range: { x: new Uint8Array(0), y: new Uint8Array(0) }, fingerprint: new Uint8Array(32) }));
    expect(
      await acceptorFails((peer) => peer.send({ type: 'init', namespace: namespace.id, message: { parts } }), { maxParts: 4 }),
    ).toMatchObject({ code: SYNC_ERROR_CODES.MESSAGE_TOO_LARGE });
    // The offender's stream is dropped.
    const peer = await rawPeer('dialer');
    const bob = await memoryReplica(namespace);
    const accepted = syncAsAcceptor(peer.stream, () => ({ replica: bob.replica })).catch(() => undefined);
    await peer.own.write(Uint8Array.of(0xff, 0xff, 0xff, 0xff));
    await accepted;
    await expect(peer.own.read()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_LOST });
  });
});

describe('timeouts', () => {
  const namespace = testNamespace('timeouts');

  test('idle: a dialer that goes silent after Init is dropped with DOCS_SYNC_TIMEOUT', async () => {
    const bob = await memoryReplica(namespace);
    const peer = await rawPeer('dialer');
    const started = performance.now();
    const accepted = syncAsAcceptor(peer.stream, () => ({ replica: bob.replica }), { idleTimeout: 150 });
    await peer.send({ type: 'init', namespace: namespace.id, message: await bob.replica.syncInitialMessage() });
    await expect(accepted).rejects.toMatchObject({ code: SYNC_ERROR_CODES.TIMEOUT });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  test('total: a peer trickling one byte at a time stays under the idle timeout but hits the total timeout', async () => {
    const alice = await memoryReplica(namespace);
    const peer = await rawPeer('listener');
    const dialed = syncAsDialer(peer.stream, alice.replica, { idleTimeout: 1_000, totalTimeout: 300 });
    await peer.receive();
    const trickle = (async () => {
      await peer.own.write(Uint8Array.of(0, 0, 0, 100));
      for (let index = 0; index < 40; index++) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        await peer.own.write(Uint8Array.of(1));
      }
    })().catch(() => undefined);
    await expect(dialed).rejects.toMatchObject({ code: SYNC_ERROR_CODES.TIMEOUT, message: expect.stringContaining('300 ms') });
    await trickle;
  });
});

describe('namespace isolation', () => {
  test('a peer sending ranges of another namespace gets nothing of it: the replies equal those of a store without it', async () => {
    const shared = testNamespace('shared');
    const secret = testNamespace('secret');
    const author = testAuthor('isolation');
    const sharedEntries = await makeEntries(shared, author, 's/', 50);
    const secretEntries = await makeEntries(secret, author, 'secret/', 50);

    async function attack(storeHoldsSecret: boolean): Promise<string[]> {
      const { store, replica } = await memoryReplica(shared, sharedEntries);
      if (storeHoldsSecret) {
        await store.importNamespace(writeCapability(secret));
        await putAll(store, secretEntries);
      }
      const peer = await rawPeer('dialer');
      const accepted = syncAsAcceptor(peer.stream, () => ({ replica })).catch(() => undefined);
      const first = secretEntries[0]!.entry.id.bytes;
      const last = secretEntries.at(-1)!.entry.id.bytes;
      const secretEnd = concatBytes(secret.id, new Uint8Array(32).fill(0xff), text('\xff'));
      const sharedFirst = sharedEntries[0]!.entry.id.bytes;
      const zero = new Uint8Array(32);
      const hostile: SyncMessage = {
        parts: [
          { kind: 'fingerprint', range: { x: first, y: secretEnd }, fingerprint: zero },
          { kind: 'fingerprint', range: { x: first, y: first }, fingerprint: zero },
          { kind: 'fingerprint', range: { x: last, y: sharedFirst }, fingerprint: zero },
          { kind: 'items', range: { x: first, y: secretEnd }, values: [], haveLocal: false },
          { kind: 'items', range: { x: secretEnd, y: first }, values: [], haveLocal: false },
        ],
      };
      const replies: string[] = [];
      await peer.send({ type: 'init', namespace: shared.id, message: hostile });
      for (let round = 0; round < 3; round++) {
        const reply = await peer.receive();
        if (reply === undefined) break;
        replies.push(hex(encodeProtocolMessage(reply)));
        if (reply.type !== 'sync') break;
        for (const part of reply.message.parts) {
          if (part.kind !== 'items') continue;
          for (const [entry] of part.values) expect(hex(entry.entry.id.namespace)).toBe(hex(shared.id));
        }
        await peer.send({ type: 'sync', message: hostile });
      }
      await peer.frames.end();
      await accepted;
      return replies;
    }

    const withSecret = await attack(true);
    const withoutSecret = await attack(false);
    expect(withSecret.length).toBeGreaterThan(0);
    expect(withSecret).toEqual(withoutSecret);
  });
});

describe.each(STORE_KINDS)('a peer vanishing mid-sync ($name store)', (kind) => {
  test('leaves both stores consistent, and the next sync completes', async () => {
    const namespace = testNamespace(`vanish-${kind.name}`);
    const author = testAuthor('vanish');
    const all = await makeEntries(namespace, author, 'v/', 600);
    const a = await kind.create();
    const b = await kind.create();
    cleanup.add(a.release);
    cleanup.add(b.release);
    const alice = await replicaOn(a.store, namespace);
    const bob = await replicaOn(b.store, namespace);
    // Scattered differences need several round trips in either direction.
    await putAll(a.store, all.filter((_, index) => index % 5 !== 0));
    await putAll(b.store, all.filter((_, index) => index % 7 !== 0));

    // First the dialer vanishes in the middle of its second frame, then the acceptor in the middle of its first.
    for (const vanishing of ['dialer', 'listener'] as const) {
      const pair = await createMemoryPair();
      const results = await Promise.allSettled([
        syncAsDialer(vanishing === 'dialer' ? new TappedStream(pair.dialer, 2) : pair.dialer, alice),
        syncAsAcceptor(vanishing === 'listener' ? new TappedStream(pair.listener, 1) : pair.listener, () => ({ replica: bob })),
      ]);
      expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
      const survivor = results[vanishing === 'dialer' ? 1 : 0] as PromiseRejectedResult;
      expect(survivor.reason).toMatchObject({ code: expect.stringMatching(/^DOCS_SYNC_(CONNECTION_LOST|TRUNCATED_FRAME)$/) });
      await expectConsistent(a.store, namespace.id);
      await expectConsistent(b.store, namespace.id);
    }

    const { dialed } = await sync(alice, bob);
    expect(dialed.stats.entriesReceived + dialed.stats.entriesSent).toBeGreaterThan(0);
    const union = all.filter((_, index) => index % 5 !== 0 || index % 7 !== 0);
    expect(await snapshot(a.store, namespace.id)).toHaveLength(union.length);
    expect(await snapshot(b.store, namespace.id)).toEqual(await snapshot(a.store, namespace.id));
    await expectConsistent(a.store, namespace.id);
    await expectConsistent(b.store, namespace.id);
  });
});
