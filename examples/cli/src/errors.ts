import { DocsError, isDocsError } from '@docs/crypto';

/** Stable codes of the errors the CLI itself raises (library errors keep their own `DOCS_*` codes). */
export const CLI_ERROR_CODES = {
  /** No `--doc` was given and no current document is set. */
  NO_DOCUMENT: 'DOCS_CLI_NO_DOCUMENT',
  /** A document or author id matches nothing held here, or a short id matches several. */
  UNKNOWN_ID: 'DOCS_CLI_UNKNOWN_ID',
  /** No entry holds the key asked for. */
  NOT_FOUND: 'DOCS_CLI_NOT_FOUND',
  /** The entry exists but its content has not arrived here (yet). */
  CONTENT_MISSING: 'DOCS_CLI_CONTENT_MISSING',
  /** The command needs a running node (`docs serve`) on the data directory. */
  NODE_REQUIRED: 'DOCS_CLI_NODE_REQUIRED',
  /** `docs serve` was started on a data directory another node already serves. */
  ALREADY_SERVING: 'DOCS_CLI_ALREADY_SERVING',
  /** An argument has the wrong form (a peer address, a number). */
  INVALID_ARGUMENT: 'DOCS_CLI_INVALID_ARGUMENT',
  /** A file could not be read or written. */
  FILE: 'DOCS_CLI_FILE',
  /** The connection to the running node broke, or it answered something unexpected. */
  RPC: 'DOCS_CLI_RPC',
  /** Waiting for a peer (a sync, content) took longer than allowed. */
  TIMEOUT: 'DOCS_CLI_TIMEOUT',
} as const;

/** One of {@link CLI_ERROR_CODES}. */
export type CliErrorCode = (typeof CLI_ERROR_CODES)[keyof typeof CLI_ERROR_CODES];

/** A failure the CLI reports as one line and a non-zero exit code. */
export class CliError extends DocsError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** An error as it crosses the RPC connection and reaches the user: a code, one line, and the stack for `--verbose`. */
export interface ErrorReport {
  readonly code: string;
  readonly message: string;
  readonly stack?: string;
}

/** Library codes whose messages read better with a word of context for a CLI user. */
const CONTEXT: Readonly<Record<string, string>> = {
  DOCS_STORE_LOCKED: 'the store is in use by another process',
  DOCS_SYNC_INVALID_TICKET: 'bad ticket',
  DOCS_SYNC_CONNECTION_FAILED: 'peer unreachable',
  DOCS_SYNC_HANDSHAKE_FAILED: 'peer refused or not who the address says',
  DOCS_SYNC_REMOTE_ABORT: 'the peer refused the sync',
  DOCS_SYNC_TIMEOUT: 'the peer did not answer in time',
  DOCS_CRYPTO_INVALID_ID: 'bad id',
  DOCS_REPLICA_READ_ONLY: 'this node holds only a read capability for the document',
};

/** Node's file-system error codes in words. */
const FILE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'already exists',
};

/** Turns anything thrown into the report the user sees: library and CLI errors keep their code and message. */
export function reportError(error: unknown): ErrorReport {
  const stack = error instanceof Error ? fullStack(error) : undefined;
  const withStack = (report: { code: string; message: string }): ErrorReport =>
    stack === undefined ? report : { ...report, stack };
  if (isDocsError(error)) {
    const context = CONTEXT[error.code];
    return withStack({ code: error.code, message: context === undefined ? error.message : `${context}: ${error.message}` });
  }
  const system = error as { code?: unknown; path?: unknown; syscall?: unknown } | undefined;
  if (typeof system?.code === 'string' && typeof system.path === 'string') {
    const words = FILE_ERRORS[system.code] ?? system.code;
    return withStack({ code: CLI_ERROR_CODES.FILE, message: `${system.path}: ${words}` });
  }
  return withStack({ code: 'DOCS_CLI_INTERNAL', message: error instanceof Error ? error.message : String(error) });
}

/**
 * The line on standard error for a problem the CLI goes on after (a peer address book it could not read or save):
 * `docs: warning: <message> (<code>)`, with the file system's error in words when that is the cause.
 */
export function warningLine(error: unknown): string {
  const { code, message } = reportError(error);
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  const because = typeof cause === 'string' ? `: ${FILE_ERRORS[cause] ?? cause}` : '';
  return `docs: warning: ${message}${because} (${code})\n`;
}

/** The stack of an error followed by the stacks of its causes. */
function fullStack(error: Error): string {
  let text = error.stack ?? `${error.name}: ${error.message}`;
  let cause: unknown = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    text += `\ncaused by: ${cause.stack ?? cause.message}`;
    cause = cause.cause;
  }
  return text;
}
