import { setTimeout as delay } from 'node:timers/promises';
import { isDocsError } from '@docs/crypto';
import { STORE_ERROR_CODES } from '@docs/store';
import type { CommandDefinition, CommandIO, Output } from './command.js';
import { COMMANDS, type ArgsOf, type CommandName } from './commands/index.js';
import type { DataDirectory } from './data-dir.js';
import { CLI_ERROR_CODES, CliError, type ErrorReport } from './errors.js';
import { DocsNode } from './node.js';
import { ProgressDisplay } from './progress.js';
import { NodeConnection } from './rpc-client.js';
import { eventLine, type EventView } from './views.js';

/** How the caller wants output. */
export interface OutputOptions {
  /** Print results as JSON (events as JSON lines). */
  readonly json: boolean;
}

/** An error reported by the running node: carries the node's code and message. */
export class RemoteCommandError extends Error {
  readonly report: ErrorReport;
  constructor(report: ErrorReport) {
    super(report.message);
    this.name = 'RemoteCommandError';
    this.report = report;
  }
}

/**
 * How long a command waits for a store held by another process: another one-off command finishing, or a node
 * starting (it holds the lock before it publishes `rpc.json`). Then the command fails with `DOCS_STORE_LOCKED`.
 */
const LOCK_WAIT_MS = 3000;
const LOCK_POLL_MS = 100;

/**
 * Runs a command: in the node serving the data directory if one runs (over its RPC socket), else against the
 * store opened here. Prints the result (or events) to `out`; throws on failure.
 */
export async function runCommand<Name extends CommandName>(
  name: Name,
  args: ArgsOf<Name>,
  dataDir: DataDirectory,
  options: OutputOptions,
  out: Output,
): Promise<void> {
  const definition = COMMANDS[name] as unknown as CommandDefinition<ArgsOf<Name>, unknown>;
  const progress = new ProgressDisplay(!options.json);
  const printEvent = (event: EventView): void => out.line(options.json ? JSON.stringify(event) : eventLine(event));
  const printResult = (result: unknown): void => {
    progress.stop();
    if (options.json) {
      if (name !== 'watch') out.line(JSON.stringify(result, null, 2));
    } else {
      definition.render(result, args, out);
    }
  };
  const lockDeadline = performance.now() + LOCK_WAIT_MS;
  try {
    for (;;) {
      const connection = await NodeConnection.connect(dataDir);
      if (connection !== undefined) {
        printResult(await remote(connection, name, args, progress, printEvent));
        return;
      }
      if (definition.needsRunningNode !== undefined) {
        throw new CliError(CLI_ERROR_CODES.NODE_REQUIRED, `no node is running on ${dataDir.path}: ${definition.needsRunningNode}`);
      }
      let node: DocsNode;
      try {
        node = await DocsNode.open(dataDir, 'direct');
      } catch (error) {
        if (isDocsError(error) && error.code === STORE_ERROR_CODES.LOCKED && performance.now() < lockDeadline) {
          await delay(LOCK_POLL_MS);
          continue;
        }
        throw error;
      }
      const io: CommandIO = { progress: (update) => progress.update(update), event: printEvent, signal: new AbortController().signal };
      try {
        printResult(await definition.run(node, args, io));
      } finally {
        await node.close();
      }
      return;
    }
  } finally {
    progress.stop();
  }
}

async function remote(
  connection: NodeConnection,
  name: CommandName,
  args: unknown,
  progress: ProgressDisplay,
  printEvent: (event: EventView) => void,
): Promise<unknown> {
  for await (const reply of connection.request(name, args)) {
    switch (reply.type) {
      case 'progress':
        progress.update(reply.update);
        break;
      case 'event':
        printEvent(reply.event);
        break;
      case 'result':
        return reply.result;
      case 'error':
        throw new RemoteCommandError(reply.error);
    }
  }
  throw new CliError(CLI_ERROR_CODES.RPC, 'the running node sent no result');
}
