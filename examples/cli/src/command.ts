import type { DocsNode } from './node.js';
import type { EventView } from './views.js';

/** Progress of a long task (an import, a sync, a content download), shown as a progress bar. */
export interface ProgressUpdate {
  /** What is progressing; a new task replaces the previous bar. */
  readonly task: string;
  readonly value: number;
  /** 0 when the total is not known yet. */
  readonly total: number;
  readonly unit: 'bytes' | 'items' | 'entries';
  /** A few words shown beside the bar. */
  readonly detail?: string;
}

/** What a running command can tell its caller besides its result. */
export interface CommandIO {
  progress(update: ProgressUpdate): void;
  /** A live event (the `watch` stream). */
  event(event: EventView): void;
  /** Aborted when the caller goes away (the RPC client disconnects, Ctrl-C). */
  readonly signal: AbortSignal;
}

/** Where a command's human output goes. */
export interface Output {
  /** One line of text on standard output. */
  line(text: string): void;
  /** Raw bytes on standard output (content). */
  bytes(bytes: Uint8Array): void;
}

/**
 * One CLI command: `run` executes it against an open node — in this process (the store opened directly) or in a
 * running `docs serve` (over the RPC socket) — with JSON arguments and a JSON result; `render` prints the result
 * for people on the caller's side (`--json` prints the result itself).
 */
export interface CommandDefinition<Args, Result> {
  /** Set when the command only makes sense on a running node (`docs serve`): the reason, for the error message. */
  readonly needsRunningNode?: string;
  run(node: DocsNode, args: Args, io: CommandIO): Promise<Result>;
  render(result: Result, args: Args, out: Output): void;
}

/** Declares a command with its argument and result types. */
export function defineCommand<Args, Result>(definition: CommandDefinition<Args, Result>): CommandDefinition<Args, Result> {
  return definition;
}
