import type { Output } from './command.js';
import type { DataDirectory } from './data-dir.js';
import { CLI_ERROR_CODES, CliError, reportError } from './errors.js';
import { DocsNode } from './node.js';
import { NodeConnection } from './rpc-client.js';
import { startRpcServer } from './rpc-server.js';
import { eventLine, eventView } from './views.js';

/** Options of `docs serve`. */
export interface ServeOptions {
  /** TCP `host:port` to listen on (port 0: any free port). */
  readonly listen: string;
  /** WebSocket `host:port` to listen on as well (path `/docs`), if given. */
  readonly ws: string | undefined;
  readonly json: boolean;
}

/**
 * `docs serve`: runs the node of a data directory — listens on TCP (and WebSocket), syncs every document live
 * with the peers that connect, that documents are joined with, and that it remembers from earlier runs
 * (`peers.json`), prints events, and serves the other `docs` commands on the RPC socket — until SIGINT or SIGTERM.
 */
export async function serve(dataDir: DataDirectory, options: ServeOptions, out: Output): Promise<void> {
  const running = await NodeConnection.connect(dataDir);
  if (running !== undefined) {
    running.close();
    throw new CliError(CLI_ERROR_CODES.ALREADY_SERVING, `a node (pid ${running.info.pid}) already serves ${dataDir.path}`);
  }
  const node = await DocsNode.open(dataDir, 'serve');
  // A long-running node reports a stray failure of a background task (a link, a fetch) and goes on.
  const reportStray = (error: unknown): void => void process.stderr.write(`docs serve: ${reportError(error).message}\n`);
  process.on('unhandledRejection', reportStray);
  let stopRpc: (() => Promise<void>) | undefined;
  try {
    const { engine } = node;
    await engine.listen(`tcp://${hostPort(options.listen, '--listen')}`);
    if (options.ws !== undefined) await engine.listen(`ws://${hostPort(options.ws, '--ws')}/docs`);
    const docs = await node.docs.listNamespaces();
    engine.on((event) => {
      const view = eventView(event);
      if (view !== undefined) out.line(options.json ? JSON.stringify(view) : eventLine(view));
    });
    // Subscribed first, so that no event of a document's first links (with its remembered peers) goes unprinted.
    for (const doc of docs) await engine.startSync(doc.id);
    const rpc = await startRpcServer(node);
    stopRpc = () => rpc.close();
    if (options.json) {
      out.line(JSON.stringify({ type: 'listening', nodeId: node.nodeId, dataDir: dataDir.path, addresses: engine.addresses, docs: docs.length }));
    } else {
      out.line(`node   ${node.nodeId}`);
      out.line(`data   ${dataDir.path}`);
      for (const address of engine.addresses) out.line(`listen ${address}`);
      out.line(`peer   ${node.nodeId}@${engine.addresses[0]}`);
      out.line(`syncing ${docs.length} ${docs.length === 1 ? 'document' : 'documents'}; Ctrl-C to stop`);
    }
    const signal = await new Promise<NodeJS.Signals>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    out.line(options.json ? JSON.stringify({ type: 'stopped', signal }) : `stopping (${signal})`);
  } finally {
    await stopRpc?.();
    await node.close();
    process.off('unhandledRejection', reportStray);
  }
}

/** `host:port` from `host:port`, `:port`, a bare port or `tcp://host:port`. */
function hostPort(text: string, option: string): string {
  const bare = text.replace(/^(tcp|ws):\/\//i, '').replace(/\/.*$/, '');
  if (/^\d+$/.test(bare)) return `127.0.0.1:${bare}`;
  if (/^:\d+$/.test(bare)) return `127.0.0.1${bare}`;
  if (/^(\[[0-9a-fA-F:]+\]|[^:[\]]+):\d+$/.test(bare)) return bare;
  throw new CliError(CLI_ERROR_CODES.INVALID_ARGUMENT, `bad ${option} address ${JSON.stringify(text)}: expected host:port`);
}
