import { connect, type Socket } from 'node:net';
import type { DataDirectory } from './data-dir.js';
import { CLI_ERROR_CODES, CliError } from './errors.js';
import { readJsonLines, readRpcInfo, type RpcInfo, type RpcReply } from './rpc-protocol.js';

/** A connection to the node serving a data directory, ready for one request. */
export class NodeConnection {
  readonly info: RpcInfo;
  readonly #socket: Socket;

  private constructor(info: RpcInfo, socket: Socket) {
    this.info = info;
    this.#socket = socket;
  }

  /** Connects to the running node of a data directory; undefined when none runs (or it stopped meanwhile). */
  static async connect(dataDir: DataDirectory): Promise<NodeConnection | undefined> {
    const info = await readRpcInfo(dataDir);
    if (info === undefined) return undefined;
    const socket = await new Promise<Socket | undefined>((resolve) => {
      const target = info.socket !== undefined ? { path: info.socket } : { host: '127.0.0.1', port: info.port ?? 0 };
      const socket = connect(target);
      socket.once('connect', () => {
        socket.off('error', failed);
        resolve(socket);
      });
      const failed = (): void => resolve(undefined);
      socket.once('error', failed);
    });
    return socket === undefined ? undefined : new NodeConnection(info, socket);
  }

  /** Sends a command and yields the node's replies up to the result or error. */
  async *request(command: string, args: unknown): AsyncGenerator<RpcReply> {
    const socket = this.#socket;
    socket.on('error', () => undefined); // surfaces as the end of the replies
    socket.write(`${JSON.stringify({ token: this.info.token, command, args })}\n`);
    try {
      for await (const value of readJsonLines(socket)) {
        const reply = value as RpcReply;
        yield reply;
        if (reply.type === 'result' || reply.type === 'error') return;
      }
      throw new CliError(CLI_ERROR_CODES.RPC, 'the running node closed the connection (did it stop?)');
    } finally {
      socket.destroy();
    }
  }

  /** Drops the connection without a request. */
  close(): void {
    this.#socket.destroy();
  }
}
