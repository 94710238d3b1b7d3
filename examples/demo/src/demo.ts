// Two @docs peers on loopback, each with a LevelDB store in a temporary directory: they write entries (one a
// prefix delete), reconcile over TCP, stay linked so that new entries flow live, fetch each other's content
// (verified by BLAKE3 hash), and print what each side holds and the sync stats. Finishes in seconds and cleans up.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, type Author, type NamespaceId } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import { Docs } from '@docs/replica';
import { LevelStore } from '@docs/store-level';
import { NodeSecret, SyncEngine, decodeDocTicket, type LiveEvent, type SyncStats } from '@docs/sync-transport';
import { tcpTransport } from '@docs/sync-transport/tcp';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const started = performance.now();

/** One peer: a LevelDB store, its documents, a sync engine listening on loopback TCP, and its events. */
interface Peer {
  readonly name: string;
  readonly store: LevelStore;
  readonly docs: Docs;
  readonly engine: SyncEngine;
  readonly address: string;
  readonly author: Author;
  readonly events: LiveEvent[];
}

async function startPeer(name: string, directory: string): Promise<Peer> {
  const store = await LevelStore.open(join(directory, name));
  const docs = new Docs(store);
  const engine = new SyncEngine({ docs, transports: { tcp: tcpTransport(NodeSecret.generate()) }, reconnectDelay: 50 });
  const address = await engine.listen('tcp://127.0.0.1:0');
  const events: LiveEvent[] = [];
  engine.on((event) => events.push(event));
  return { name, store, docs, engine, address, author: await docs.defaultAuthor(), events };
}

function log(text = ''): void {
  const seconds = ((performance.now() - started) / 1000).toFixed(2).padStart(5);
  console.log(text === '' ? '' : `[${seconds}s] ${text}`);
}

function short(bytes: Uint8Array): string {
  return bytesToHex(bytes).slice(0, 8);
}

async function write(peer: Peer, namespace: NamespaceId, key: string, value: string): Promise<void> {
  const replica = await peer.docs.open(namespace);
  await replica.setBytes(encoder.encode(key), peer.author, encoder.encode(value));
  peer.docs.close(namespace);
  log(`${peer.name} set ${key} = ${JSON.stringify(value)}`);
}

async function deletePrefix(peer: Peer, namespace: NamespaceId, prefix: string): Promise<void> {
  const replica = await peer.docs.open(namespace);
  const removed = await replica.deletePrefix(encoder.encode(prefix), peer.author);
  peer.docs.close(namespace);
  log(`${peer.name} del ${prefix}*  (removed ${removed} of ${peer.name}'s entries)`);
}

async function entries(peer: Peer, namespace: NamespaceId): Promise<SignedEntry[]> {
  const out: SignedEntry[] = [];
  for await (const entry of peer.store.query(namespace, { sortBy: 'key-author', includeEmpty: true })) out.push(entry);
  return out;
}

/** Waits for a condition, polling; fails the demo after `timeoutMs`. */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function statsText(stats: SyncStats): string {
  return (
    `${stats.entriesReceived} received, ${stats.entriesSent} sent, ${stats.roundTrips} round trips, ` +
    `${stats.bytesSent} B out / ${stats.bytesReceived} B in, ${stats.totalMs.toFixed(1)} ms`
  );
}

async function printHoldings(peer: Peer, namespace: NamespaceId, authorNames: ReadonlyMap<string, string>): Promise<void> {
  console.log(`  ${peer.name} holds:`);
  for (const signed of await entries(peer, namespace)) {
    const { id, record } = signed.entry;
    const key = decoder.decode(id.key);
    const by = authorNames.get(bytesToHex(id.author)) ?? short(id.author);
    let value: string;
    if (record.len === 0n) value = '(tombstone: prefix deleted)';
    else {
      const content = await peer.store.blobs.get(record.hash);
      value = content === undefined ? `(content missing, ${record.len} B)` : JSON.stringify(decoder.decode(content));
    }
    console.log(`    ${key.padEnd(22)} by ${by.padEnd(5)} ${value}`);
  }
}

async function main(): Promise<void> {
  const directory = await mkdtemp(join(tmpdir(), 'docs-demo-'));
  const peers: Peer[] = [];
  try {
    const alice = await startPeer('alice', directory);
    const bob = await startPeer('bob', directory);
    peers.push(alice, bob);
    log(`alice listens on ${alice.address} (node ${short(alice.engine.localPeer)}), store ${join(directory, 'alice')}`);
    log(`bob   listens on ${bob.address} (node ${short(bob.engine.localPeer)}), store ${join(directory, 'bob')}`);

    // Alice creates a document and writes; a prefix delete removes her drafts.
    console.log('\n== 1. writes on both sides, before any sync');
    const doc = await alice.docs.createNamespace();
    const namespace = doc.namespace;
    alice.docs.close(namespace);
    log(`alice created document ${short(namespace)}`);
    await write(alice, namespace, 'recipes/pancakes', 'flour, milk, eggs');
    await write(alice, namespace, 'recipes/waffles', 'flour, milk, eggs, butter');
    await write(alice, namespace, 'drafts/soup', 'water?');
    await write(alice, namespace, 'drafts/stew', 'later');
    await deletePrefix(alice, namespace, 'drafts/');

    // Bob gets a write ticket (capability + Alice's address) and writes offline first.
    const ticket = await alice.engine.share(namespace, 'write');
    log(`alice shares a write ticket: ${ticket.slice(0, 40)}… (${ticket.length} chars)`);
    const { capability, nodes } = decodeDocTicket(ticket);
    await bob.docs.importNamespace(capability);
    await write(bob, namespace, 'recipes/pancakes', 'buckwheat flour, milk, eggs');
    await write(bob, namespace, 'shopping/milk', '2 litres');
    await write(bob, namespace, 'tmp/a', 'scratch');
    await deletePrefix(bob, namespace, 'tmp/');

    // One reconciliation session over TCP: both sides learn what the other has.
    console.log('\n== 2. set reconciliation over TCP');
    await bob.engine.startSync(namespace); // bob's engine follows the document, so it wants the content it receives
    const session = await bob.engine.syncWith(namespace, nodes[0]!);
    if (!session.result.ok) throw session.result.error;
    log(`bob synced with alice: ${statsText(session.result.stats)}`);
    const aliceCount = (await entries(alice, namespace)).length;
    const bobCount = (await entries(bob, namespace)).length;
    log(`entries now: alice ${aliceCount}, bob ${bobCount} (tombstones included)`);

    // A live link: new entries are pushed as they are written; content is fetched over the link.
    console.log('\n== 3. live updates');
    await bob.engine.startSync(namespace, nodes);
    await until('the live link', () => bob.events.some((event) => event.type === 'neighbor-up'));
    log('bob and alice are live neighbours');
    const liveRemote = (peer: Peer, key: string) =>
      peer.events.some((event) => event.type === 'insert-remote' && decoder.decode(event.entry.entry.id.key) === key);
    for (const [writer, reader, key, value] of [
      [alice, bob, 'live/alice-1', 'hello from alice'],
      [bob, alice, 'live/bob-1', 'hello from bob'],
      [alice, bob, 'live/alice-2', 'pushed, not polled'],
    ] as const) {
      const sent = performance.now();
      await write(writer, namespace, key, value);
      await until(`${key} at ${reader.name}`, () => liveRemote(reader, key));
      log(`  → ${reader.name} received ${key} live after ${(performance.now() - sent).toFixed(1)} ms`);
    }

    // Each side fetches the blobs it lacks from the other, verified by hash.
    console.log('\n== 4. content');
    const allContentHere = async (peer: Peer): Promise<boolean> => {
      for (const signed of await entries(peer, namespace)) {
        if (signed.entry.record.len > 0n && !(await peer.store.blobs.has(signed.entry.record.hash))) return false;
      }
      return true;
    };
    await until('content on both sides', async () => (await allContentHere(alice)) && (await allContentHere(bob)));
    const fetchedBy = (peer: Peer) => peer.events.filter((event) => event.type === 'content-ready').length;
    log(`alice fetched ${fetchedBy(alice)} blobs from bob, bob fetched ${fetchedBy(bob)} from alice`);
    const waffles = (await entries(bob, namespace)).find((signed) => decoder.decode(signed.entry.id.key) === 'recipes/waffles');
    const content = waffles === undefined ? undefined : await bob.store.blobs.get(waffles.entry.record.hash);
    log(`bob reads alice's recipes/waffles: ${JSON.stringify(content === undefined ? null : decoder.decode(content))}`);

    console.log('\n== 5. what each side holds');
    const authorNames = new Map(peers.map((peer) => [bytesToHex(peer.author.id), peer.name]));
    for (const peer of peers) await printHoldings(peer, namespace, authorNames);
    let newest: string | undefined;
    for await (const signed of bob.store.query(namespace, { kind: 'single-latest-per-key', key: encoder.encode('recipes/pancakes') })) {
      newest = authorNames.get(bytesToHex(signed.entry.id.author));
    }
    console.log(`  recipes/pancakes has one entry per author; the newest (shown by \`get\`) is ${newest ?? 'none'}'s`);
    const fingerprint = async (peer: Peer) => (await entries(peer, namespace)).map((signed) => bytesToHex(signed.entry.id.bytes) + signed.entry.record.timestamp).join();
    const converged = (await fingerprint(alice)) === (await fingerprint(bob));
    console.log(`  converged: ${converged ? 'yes, the same entries on both sides' : 'NO'}`);
    if (!converged) throw new Error('the peers did not converge');

    console.log('\n== 6. sync sessions');
    for (const peer of peers) {
      for (const event of peer.events) {
        if (event.type !== 'sync-finished') continue;
        const origin = event.origin.kind === 'accept' ? 'accepted' : `dialed (${event.origin.reason})`;
        console.log(`  ${peer.name.padEnd(5)} ${origin.padEnd(22)} ${event.result.ok ? statsText(event.result.stats) : `failed: ${String(event.result.error)}`}`);
      }
    }
  } finally {
    for (const peer of peers) {
      await peer.engine.close();
      peer.docs.closeAll();
      await peer.store.close();
    }
    await rm(directory, { recursive: true, force: true });
  }
  log(`done; removed the temporary stores`);
}

await main();
