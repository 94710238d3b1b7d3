import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamespaceSecret } from '@docs/crypto';
import { writeCapability } from '@docs/entry';
import { LevelStore } from '@docs/store-level';
import { encodeDocTicket } from '@docs/sync-transport';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { docs, json, type Run } from './cli-process.js';

/** Every check spawns `docs` processes (~1 s each on an idle machine); the limit only guards against a hang. */
const TIMEOUT = 300_000;

let root: string;
/** Two data dirs with a document each, so that tests running at the same time do not wait for each other's store lock. */
let syncDir: string;
let readDir: string;
let doc: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'docs-cli-errors-'));
  syncDir = join(root, 'sync');
  readDir = join(root, 'read');
  [{ doc }] = await Promise.all([json<{ doc: string }>(syncDir, ['doc', 'new']), json(readDir, ['doc', 'new'])]);
}, TIMEOUT);

/** A data dir of its own for a test. */
function freshDir(name: string): string {
  return join(root, name);
}

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A failed run: the exit code, and exactly one line on standard error (so no stack trace). */
function expectFailure(run: Run, code: number, message: RegExp): void {
  expect(run.code, run.stderr).toBe(code);
  const lines = run.stderr.trimEnd().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(message);
}

/** A TCP port on loopback where nothing listens. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('bad input gets one clear line and a non-zero exit code', { timeout: TIMEOUT }, () => {
  test.concurrent('bad ticket', async () => {
    const dataDir = freshDir('tickets');
    expectFailure(await docs(dataDir, ['doc', 'join', 'docnotaticket']), 1, /^docs: error: bad ticket: /);
    expectFailure(await docs(dataDir, ['sync', doc, 'doc']), 1, /^docs: error: bad ticket: /);
  });

  test.concurrent('unknown document', async () => {
    const dataDir = freshDir('unknown');
    expectFailure(await docs(dataDir, ['ls', '--doc', 'ffff']), 1, /^docs: error: unknown document ffff$/);
    expectFailure(await docs(dataDir, ['get', 'key', '--doc', 'f'.repeat(64)]), 1, /^docs: error: unknown document f{64}$/);
  });

  test.concurrent('unreachable peer, malformed peer', async () => {
    const port = await closedPort();
    const id = 'a'.repeat(64);
    expectFailure(await docs(syncDir, ['sync', doc, `${id}@tcp://127.0.0.1:${port}`]), 1, /^docs: error: peer unreachable: .*ECONNREFUSED/);
    expectFailure(await docs(syncDir, ['sync', doc, '127.0.0.1:1']), 1, /^docs: error: bad peer "127\.0\.0\.1:1": expected <node-id>@/);
  });

  test.concurrent('a ticket whose peers are unreachable: the join fails and leaves nothing behind', async () => {
    const dataDir = freshDir('join-unreachable');
    const ticket = encodeDocTicket({
      capability: writeCapability(NamespaceSecret.generate()),
      nodes: [{ id: new Uint8Array(32).fill(7), addresses: [`tcp://127.0.0.1:${await closedPort()}`] }],
    });
    expectFailure(await docs(dataDir, ['doc', 'join', ticket]), 1, /^docs: error: peer unreachable: /);
    expect(await json<{ docs: unknown[] }>(dataDir, ['doc', 'list'])).toEqual({ docs: [] });
  });

  test.concurrent('usage errors exit 2; --json errors parse; --verbose shows the stack', async () => {
    expectFailure(await docs(readDir, ['set', 'only-a-key']), 2, /^docs: error: missing required argument 'value'$/);
    expectFailure(await docs(readDir, ['frobnicate']), 2, /^docs: error: unknown command 'frobnicate'$/);
    const missing = await docs(readDir, ['--json', 'get', 'no/such/key']);
    expectFailure(missing, 1, /^docs: error: no entry for key "no\/such\/key"$/);
    expect(JSON.parse(missing.stdout)).toEqual({ error: { code: 'DOCS_CLI_NOT_FOUND', message: 'no entry for key "no/such/key"' } });
    const verbose = await docs(readDir, ['--verbose', 'get', 'no/such/key']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^\s+at /m);
  });

  test.concurrent('commands that need a running node say so', async () => {
    const dataDir = freshDir('no-node');
    expectFailure(await docs(dataDir, ['watch']), 1, /^docs: error: no node is running on .*: live events come from a running node/);
    expectFailure(await docs(dataDir, ['doc', 'share', 'read']), 1, /^docs: error: no node is running on .*: a ticket carries the address/);
  });
});

describe('a locked store', { timeout: TIMEOUT }, () => {
  test('one-off commands on one data dir at the same time wait for each other', async () => {
    const runs = await Promise.all([docs(readDir, ['set', 'first', '1']), docs(readDir, ['set', 'second', '2'])]);
    expect(runs.map((run) => [run.code, run.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
  });

  test('a store held by another process gives one line after a short wait, not a stack trace', async () => {
    const lockedDir = freshDir('locked');
    await mkdir(lockedDir);
    const store = await LevelStore.open(join(lockedDir, 'store')); // this test process holds the LevelDB lock
    try {
      expectFailure(await docs(lockedDir, ['ls']), 1, /^docs: error: the store is in use by another process: /);
    } finally {
      await store.close();
    }
  });
});
