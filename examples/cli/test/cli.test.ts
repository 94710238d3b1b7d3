import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { json, ok, start, type LongRunning } from './cli-process.js';

interface EntryView {
  readonly key: string;
  readonly author: string;
  readonly hash: string;
  readonly len: number;
}
interface SyncReport {
  readonly stats: { readonly entriesReceived: number; readonly entriesSent: number; readonly roundTrips: number };
  readonly contentFetched: number;
  readonly contentMissing: number;
}
interface Listing {
  readonly entries: EntryView[];
}

let root: string;
let alice: string;
let bob: string;
let serve: LongRunning;
let doc: string;
let peer: string;
let watch: LongRunning | undefined;

/** Every step spawns `docs` processes (~1 s each on an idle machine); the limit only guards against a hang. */
const TIMEOUT = 300_000;

const keys = (listing: Listing) => listing.entries.map((entry) => entry.key).sort();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docs-cli-'));
  alice = join(root, 'alice');
  bob = join(root, 'bob');
  // Alice writes with the store opened directly, then starts her node.
  ({ doc } = await json<{ doc: string }>(alice, ['doc', 'new']));
  await ok(alice, ['set', 'greeting', 'hello']);
  await ok(alice, ['set', 'fruit/apple', 'red']);
  serve = start(alice, ['serve']);
  const listening = await serve.waitFor<{ type: string; nodeId: string; addresses: string[] }>((line) => line.type === 'listening');
  expect(listening.addresses[0]).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
  peer = `${listening.nodeId}@${listening.addresses[0]}`;
}, TIMEOUT);

afterAll(async () => {
  await watch?.stop();
  await serve?.stop();
  await rm(root, { recursive: true, force: true });
}, TIMEOUT);

describe('two data dirs, `serve` on one', { timeout: TIMEOUT }, () => {
  test('doc share / doc join bring the document and its content', async () => {
    // Started now, the watch is surely registered in the node by the time the next test syncs.
    watch = start(alice, ['watch']);
    // While the node runs, commands on its data dir run inside it instead of failing on the store lock.
    await ok(alice, ['set', 'fruit/pear', 'green']);
    const share = await json<{ ticket: string; mode: string }>(alice, ['doc', 'share', 'write']);
    expect(share.ticket).toMatch(/^doc[a-z2-7]+$/);

    const joined = await json<{ doc: string; capability: string; current: boolean; sync: SyncReport }>(bob, ['doc', 'join', share.ticket]);
    expect(joined).toMatchObject({ doc, capability: 'write', current: true });
    expect(joined.sync.stats.entriesReceived).toBeGreaterThanOrEqual(3);
    expect(joined.sync).toMatchObject({ contentFetched: 3, contentMissing: 0 });
    expect(await ok(bob, ['get', 'greeting'])).toBe('hello');
  });

  test('a one-shot sync carries entries, imported files and content both ways; watch sees them live', async () => {
    const files = join(root, 'files');
    await mkdir(join(files, 'photos', 'raw'), { recursive: true });
    const big = randomBytes(1_500_000);
    await writeFile(join(files, 'photos', 'cat.txt'), 'meow');
    await writeFile(join(files, 'photos', 'raw', 'big.bin'), big);

    await ok(bob, ['set', 'fruit/apple', 'green apple']); // a second author's value for Alice's key
    const imported = await json<{ files: { key: string; len: number }[] }>(bob, ['import', join(files, 'photos')]);
    expect(imported.files.map((file) => file.key)).toEqual(['photos/cat.txt\0', 'photos/raw/big.bin\0']);
    const synced = await json<SyncReport>(bob, ['sync', doc, peer]);
    expect(synced.stats.entriesSent).toBeGreaterThanOrEqual(3);

    const event = await watch!.waitFor<{ type: string; doc: string; entry?: EntryView }>(
      (line) => line.type === 'insert-remote' && line.entry?.key === 'photos/cat.txt\0',
    );
    expect(event.doc).toBe(doc);
    await watch!.waitFor<{ type: string; hash?: string }>((line) => line.type === 'content-ready' && line.hash === event.entry?.hash);

    // Bob's content reached Alice's node before his command ended.
    expect(await ok(alice, ['get', 'fruit/apple'])).toBe('green apple'); // the newest entry for the key
    const out = join(root, 'big.out');
    await ok(alice, ['export', 'photos/raw/big.bin', out]); // the \0 of imported keys is optional
    expect(new Uint8Array(await readFile(out))).toEqual(new Uint8Array(big));
  });

  test('a prefix delete and newest-wins converge on both sides', async () => {
    // Alice deletes her fruit; Bob's fruit/apple stays (a deletion covers one author's entries).
    expect(await json<{ removed: number }>(alice, ['del', 'fruit/'])).toMatchObject({ removed: 2 });
    await json<SyncReport>(bob, ['sync', doc, peer]);
    const atAlice = await json<Listing>(alice, ['ls']);
    const atBob = await json<Listing>(bob, ['ls']);
    expect(keys(atBob)).toEqual(keys(atAlice));
    expect(keys(atBob)).toEqual(['fruit/apple', 'greeting', 'photos/cat.txt\0', 'photos/raw/big.bin\0']);
    expect(atBob.entries.find((entry) => entry.key === 'fruit/apple')?.len).toBe('green apple'.length);
  });

  test('serve stops cleanly on SIGTERM; the store then opens directly again', async () => {
    await watch?.stop();
    expect(existsSync(join(alice, 'rpc.json'))).toBe(true);
    expect(await serve.stop('SIGTERM')).toBe(0);
    expect(serve.lines.at(-1)).toEqual({ type: 'stopped', signal: 'SIGTERM' });
    expect(existsSync(join(alice, 'rpc.json'))).toBe(false);
    const listing = await json<Listing>(alice, ['ls', 'photos/']);
    expect(listing.entries.map((entry) => entry.key)).toEqual(['photos/cat.txt\0', 'photos/raw/big.bin\0']);
  });
});
