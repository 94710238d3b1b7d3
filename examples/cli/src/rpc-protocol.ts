import { readFile, rm } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { ProgressUpdate } from './command.js';
import type { DataDirectory } from './data-dir.js';
import type { ErrorReport } from './errors.js';
import type { EventView } from './views.js';

/**
 * The local RPC between the commands and a running `docs serve`: JSON lines over a Unix socket in the data
 * directory (a loopback TCP port where a socket path cannot be used). One request per connection — the client
 * writes one {@link RpcRequest} line; the node answers with progress and event lines, then one result or error
 * line, and closes. Closing the connection early cancels the command (that is how `watch` stops).
 */
export interface RpcRequest {
  /** The secret from `rpc.json`: only who can read the data directory can drive the node. */
  readonly token: string;
  readonly command: string;
  readonly args: unknown;
}

/** One line from the node. */
export type RpcReply =
  | { readonly type: 'progress'; readonly update: ProgressUpdate }
  | { readonly type: 'event'; readonly event: EventView }
  | { readonly type: 'result'; readonly result: unknown }
  | { readonly type: 'error'; readonly error: ErrorReport };

/** `rpc.json`, written by `docs serve` while it runs: how to reach it. */
export interface RpcInfo {
  readonly pid: number;
  readonly token: string;
  /** The Unix socket path, or… */
  readonly socket?: string;
  /** …the loopback port. */
  readonly port?: number;
  readonly nodeId: string;
  readonly addresses: readonly string[];
}

/** The running node's `rpc.json`, or undefined when there is none or its process is gone. */
export async function readRpcInfo(dataDir: DataDirectory): Promise<RpcInfo | undefined> {
  let text: string;
  try {
    text = await readFile(dataDir.rpcInfoPath, 'utf8');
  } catch {
    return undefined;
  }
  let info: RpcInfo;
  try {
    info = JSON.parse(text) as RpcInfo;
  } catch {
    return undefined; // being written
  }
  return processAlive(info.pid) ? info : undefined;
}

/** Removes `rpc.json` (and the socket) when the node stops. */
export async function removeRpcInfo(dataDir: DataDirectory, info: RpcInfo): Promise<void> {
  await rm(dataDir.rpcInfoPath, { force: true });
  if (info.socket !== undefined) await rm(info.socket, { force: true });
}

/** The lines of a socket, parsed as JSON. */
export async function* readJsonLines(socket: Socket): AsyncGenerator<unknown> {
  const lines = createInterface({ input: socket, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() !== '') yield JSON.parse(line) as unknown;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
