import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docs, json, ok, start, type LongRunning } from './cli-process.js';

interface EntryView {
  readonly key: string;
  readonly hash: string;
}
type ServeLine =
  | { readonly type: 'listening'; readonly nodeId: string; readonly addresses: string[] }
  | { readonly type: 'insert-remote'; readonly entry: EntryView }
  | { readonly type: 'content-ready'; readonly hash: string }
  | { readonly type: 'neighbor-up'; readonly peer: string };

/** Every step spawns `docs` processes (~1 s each on an idle machine); the limit only guards against a hang. */
const TIMEOUT = 300_000;
/** How long a node may take to link and receive an entry (generous: CI runs every test file at once). */
const SYNC_TIMEOUT = 60_000;

let root: string;
let alice: string;
let bob: string;
let aliceServe: LongRunning;
let bobServe: LongRunning | undefined;
let aliceId: string;
let aliceAddress: string;
let doc: string;

/** Bob's `peers.json`, parsed. */
async function bobsBook(): Promise<unknown> {
  return JSON.parse(await readFile(join(bob, 'peers.json'), 'utf8'));
}

/** Alice writes (through her running node); resolves with the entry's content hash. */
async function aliceSets(key: string, value: string): Promise<string> {
  return (await json<{ entry: EntryView }>(alice, ['set', key, value])).entry.hash;
}

/** Waits until Bob's running node printed the entry for `key` with content `hash` and that content arrived. */
async function bobReceives(key: string, hash: string): Promise<void> {
  const entry = (line: ServeLine): boolean => line.type === 'insert-remote' && line.entry.key === key && line.entry.hash === hash;
  await bobServe!.waitFor(entry, SYNC_TIMEOUT);
  await bobServe!.waitFor<ServeLine>((line) => line.type === 'content-ready' && line.hash === hash, SYNC_TIMEOUT);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docs-cli-peers-'));
  alice = join(root, 'alice');
  bob = join(root, 'bob');
  ({ doc } = await json<{ doc: string }>(alice, ['doc', 'new']));
  await ok(alice, ['set', 'greeting', 'hello']);
  aliceServe = start(alice, ['serve']);
  const listening = await aliceServe.waitFor<ServeLine & { type: 'listening' }>((line) => line.type === 'listening');
  aliceId = listening.nodeId;
  aliceAddress = listening.addresses[0]!;
}, TIMEOUT);

afterAll(async () => {
  await bobServe?.stop();
  await aliceServe?.stop();
  await rm(root, { recursive: true, force: true });
}, TIMEOUT);

describe('peers.json: a node redials the peers it synced with after a restart', { timeout: TIMEOUT }, () => {
  test('a one-off `doc join` keeps the ticket peer in peers.json', async () => {
    const { ticket } = await json<{ ticket: string }>(alice, ['doc', 'share', 'write']);
    await json(bob, ['doc', 'join', ticket]);
    expect(await bobsBook()).toEqual({ version: 1, peers: [{ id: aliceId, addresses: [aliceAddress] }] });
  });

  test("Bob's node, started without a peer, links with Alice and gets what she wrote meanwhile", async () => {
    const hash = await aliceSets('news', 'written while Bob was away');
    bobServe = start(bob, ['serve']);
    await bobServe.waitFor<ServeLine>((line) => line.type === 'neighbor-up' && line.peer === aliceId, SYNC_TIMEOUT);
    await bobReceives('news', hash);
    expect(await ok(bob, ['get', 'news'])).toBe('written while Bob was away');
  });

  test('restarted from the same data directory, it links again: an entry Alice writes then arrives live', async () => {
    expect(await bobServe!.stop('SIGTERM')).toBe(0);
    const missed = await aliceSets('news', 'written while Bob was stopped again');
    bobServe = start(bob, ['serve']);
    await bobReceives('news', missed);
    await bobServe.waitFor<ServeLine>((line) => line.type === 'neighbor-up' && line.peer === aliceId, SYNC_TIMEOUT);
    const live = await aliceSets('live', 'pushed over the link');
    await bobReceives('live', live);
    expect(await ok(bob, ['get', 'live'])).toBe('pushed over the link');
    expect(bobServe.stderr()).toBe('');
  });

  test('a damaged peers.json is a warning with its code; the command goes on and replaces the book', async () => {
    expect(await bobServe!.stop('SIGTERM')).toBe(0);
    bobServe = undefined;
    await writeFile(join(bob, 'peers.json'), '{"version":1,"peers":[');
    const run = await docs(bob, ['sync', doc, `${aliceId}@${aliceAddress}`]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^docs: warning: invalid peer address book \S+peers\.json: .+ \(DOCS_SYNC_ADDRESS_BOOK_INVALID\)\n$/);
    expect(await bobsBook()).toEqual({ version: 1, peers: [{ id: aliceId, addresses: [aliceAddress] }] });
  });
});
