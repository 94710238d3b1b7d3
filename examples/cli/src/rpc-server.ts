import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { CommandIO, ProgressUpdate } from './command.js';
import { COMMANDS, isCommandName } from './commands/index.js';
import { CLI_ERROR_CODES, CliError, reportError } from './errors.js';
import type { DocsNode } from './node.js';
import { readJsonLines, removeRpcInfo, type RpcInfo, type RpcReply, type RpcRequest } from './rpc-protocol.js';

/** Longest path a Unix socket can have on every platform (108 bytes on Linux, 104 on macOS, with a margin). */
const MAX_SOCKET_PATH = 100;
/** Progress lines are sent at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/** A running RPC server: its `rpc.json` contents and how to stop it. */
export interface RpcServer {
  readonly info: RpcInfo;
  close(): Promise<void>;
}

/**
 * Serves the commands of `COMMANDS` to other `docs` processes on the same data directory, executed against this
 * node, and writes `rpc.json` so they find it.
 */
export async function startRpcServer(node: DocsNode): Promise<RpcServer> {
  const token = randomBytes(16).toString('hex');
  const connections = new Set<Socket>();
  const server = createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    socket.on('error', () => undefined);
    void serveConnection(node, token, socket);
  });
  const socketPath = node.dataDir.socketPath;
  const useSocket = process.platform !== 'win32' && Buffer.byteLength(socketPath) <= MAX_SOCKET_PATH;
  if (useSocket) await rm(socketPath, { force: true }); // left by a node that crashed: the store lock is ours now
  await listen(server, useSocket ? { path: socketPath } : { host: '127.0.0.1', port: 0 });
  const base = { pid: process.pid, token, nodeId: node.nodeId, addresses: node.engine.addresses };
  const info: RpcInfo = useSocket ? { ...base, socket: socketPath } : { ...base, port: (server.address() as AddressInfo).port };
  await node.dataDir.writeAtomically(node.dataDir.rpcInfoPath, `${JSON.stringify(info, null, 2)}\n`);
  return {
    info,
    async close() {
      await removeRpcInfo(node.dataDir, info);
      for (const socket of connections) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function serveConnection(node: DocsNode, token: string, socket: Socket): Promise<void> {
  const abort = new AbortController();
  socket.on('close', () => abort.abort());
  const send = (reply: RpcReply): void => {
    if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(reply)}\n`);
  };
  let pending: ProgressUpdate | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flushProgress = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (pending !== undefined) send({ type: 'progress', update: pending });
    pending = undefined;
  };
  const io: CommandIO = {
    progress(update) {
      if (pending !== undefined && pending.task !== update.task) flushProgress();
      pending = update;
      timer ??= setTimeout(flushProgress, PROGRESS_INTERVAL_MS);
    },
    event(event) {
      send({ type: 'event', event });
    },
    signal: abort.signal,
  };
  try {
    const request = await firstLine(socket);
    socket.resume(); // one request per connection: later bytes are ignored, and the client's close is noticed
    if (request.token !== token) throw new CliError(CLI_ERROR_CODES.RPC, 'the request does not carry this node’s token');
    if (!isCommandName(request.command)) throw new CliError(CLI_ERROR_CODES.RPC, `unknown command ${String(request.command)}`);
    const command = COMMANDS[request.command] as { run(node: DocsNode, args: unknown, io: CommandIO): Promise<unknown> };
    const result = await command.run(node, request.args, io);
    flushProgress();
    send({ type: 'result', result });
  } catch (error) {
    flushProgress();
    send({ type: 'error', error: reportError(error) });
  } finally {
    socket.end();
  }
}

async function firstLine(socket: Socket): Promise<RpcRequest> {
  for await (const value of readJsonLines(socket)) {
    const request = value as Partial<RpcRequest>;
    if (typeof request.token !== 'string' || typeof request.command !== 'string') break;
    return request as RpcRequest;
  }
  throw new CliError(CLI_ERROR_CODES.RPC, 'malformed request');
}

function listen(server: Server, options: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
