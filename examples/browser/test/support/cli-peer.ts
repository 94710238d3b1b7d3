import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NodePeer } from './node-peer.js';

/** The `docs` CLI of examples/cli, run from its sources. */
const CLI = fileURLToPath(new URL('../../../cli/bin/docs.js', import.meta.url));
const STARTUP_TIMEOUT = 60_000;

/** The environment of the CLI: without the variables that would pick another data directory or working directory. */
function cliEnvironment(): NodeJS.ProcessEnv {
  const environment = { ...process.env };
  delete environment['DOCS_DATA'];
  delete environment['npm_lifecycle_event'];
  return environment;
}

interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `docs --json --data <dataDir> <args…>` to completion. */
function runCli(dataDir: string, args: readonly string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, '--json', '--data', dataDir, ...args], { env: cliEnvironment() }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

async function cliJson<T>(dataDir: string, args: readonly string[]): Promise<T> {
  const run = await runCli(dataDir, args);
  if (run.code !== 0) throw new Error(`docs ${args.join(' ')} exited with ${run.code}: ${run.stderr.trim()}`);
  return JSON.parse(run.stdout) as T;
}

/** The lines `docs --json serve` prints that are used here: the first, and live events. */
type ServeLine =
  | { readonly type: 'listening'; readonly nodeId: string; readonly addresses: readonly string[] }
  | {
      readonly type: 'insert-remote';
      readonly entry: { readonly key: string; readonly hash: string; readonly len: number };
      readonly contentStatus: string;
    }
  | { readonly type: 'content-ready'; readonly hash: string }
  | { readonly type: 'other' };

/**
 * The Node peer as a person runs it: `docs serve --ws` in a fresh data directory, its live events read from its
 * `--json` output, and `docs doc new`, `docs doc share write`, `docs set` and `docs get` run against it as
 * separate processes.
 */
export async function startCliPeer(): Promise<NodePeer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'docs-cli-peer-'));
  const server = spawn(process.execPath, [CLI, '--json', '--data', dataDir, 'serve', '--ws', '127.0.0.1:0'], {
    env: cliEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  server.stderr.setEncoding('utf8').on('data', (text: string) => (errors += text));
  const exited = new Promise<void>((resolve) => server.once('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
  };

  // Every line the node printed, and the waiters to wake when another arrives.
  const lines: ServeLine[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: server.stdout }).on('line', (text) => {
    let line: ServeLine;
    try {
      line = JSON.parse(text) as ServeLine;
    } catch {
      line = { type: 'other' };
    }
    lines.push(line);
    for (const wake of waiters) wake();
  });
  const waitFor = <T extends ServeLine>(what: string, test: (line: ServeLine) => line is T, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = lines.find(test);
        if (found === undefined) return;
        finish();
        resolve(found);
      };
      const finish = (): void => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`docs serve printed no ${what} within ${timeoutMs} ms${errors === '' ? '' : `; stderr: ${errors}`}`));
      }, timeoutMs);
      waiters.add(check);
      check();
      void exited.then(() => {
        finish();
        reject(new Error(`docs serve exited while waiting for ${what}: ${errors}`));
      });
    });

  let listening: Extract<ServeLine, { type: 'listening' }>;
  try {
    listening = await waitFor('listening line', (line): line is Extract<ServeLine, { type: 'listening' }> => line.type === 'listening', STARTUP_TIMEOUT);
  } catch (error) {
    await stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const webSocket = listening.addresses.find((address) => address.startsWith('ws://'));
  if (webSocket === undefined) throw new Error(`docs serve --ws listens on no WebSocket address: ${listening.addresses.join(', ')}`);

  return {
    peerAddress: `${listening.nodeId}@${webSocket}`,
    async createDocument() {
      const { doc } = await cliJson<{ doc: string }>(dataDir, ['doc', 'new']);
      const { ticket } = await cliJson<{ ticket: string }>(dataDir, ['doc', 'share', 'write']);
      return { id: doc, ticket };
    },
    async set(key, value) {
      await cliJson(dataDir, ['set', key, value]);
    },
    async get(key) {
      const run = await runCli(dataDir, ['get', key]);
      return run.code === 0 ? (JSON.parse(run.stdout) as { content?: string }).content : undefined;
    },
    async has(key) {
      return (await runCli(dataDir, ['get', '--hash', key])).code === 0;
    },
    async received(key, kind, timeoutMs) {
      type RemoteInsert = Extract<ServeLine, { type: 'insert-remote' }>;
      const insert = await waitFor(
        `insert-remote of ${kind === 'value' ? 'a value' : 'a tombstone'} at ${JSON.stringify(key)}`,
        (line): line is RemoteInsert => line.type === 'insert-remote' && line.entry.key === key && (line.entry.len === 0) === (kind === 'tombstone'),
        timeoutMs,
      );
      if (kind === 'tombstone' || insert.contentStatus === 'complete') return;
      const { hash } = insert.entry;
      await waitFor(`content-ready of ${hash}`, (line): line is ServeLine => line.type === 'content-ready' && line.hash === hash, timeoutMs);
    },
    async close() {
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
