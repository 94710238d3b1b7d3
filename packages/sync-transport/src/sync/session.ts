import { equalBytes } from '@docs/crypto';
import { createSyncOutcome, type Replica, type SyncOutcome } from '@docs/replica';
import { decodeProtocolMessage, encodeProtocolMessage, type AbortReason, type MessageLimits, type ProtocolMessage } from '../codec.js';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import { FramedChannel, type FramedChannelOptions } from '../framed-channel.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { unrefTimer } from '../transport/deadline.js';

/** Counters and timings of one sync session (the reference's `SyncOutcome` and timings, plus traffic). */
export interface SyncStats {
  /** Entries received, valid or not, inserted or not (the reference's `num_recv`). */
  readonly entriesReceived: number;
  /** Entries sent (`num_sent`). */
  readonly entriesSent: number;
  /** Received entries that failed validation and were dropped. */
  readonly entriesInvalid: number;
  /** Messages exchanged in both directions, halved and rounded up: the protocol is strictly ping-pong. */
  readonly roundTrips: number;
  /** Bytes written, frame headers included. */
  readonly bytesSent: number;
  /** Bytes read, frame headers included. */
  readonly bytesReceived: number;
  /** Milliseconds from the start of the session to its end. */
  readonly totalMs: number;
  /** Milliseconds spent processing messages (reconciliation and storage) on this side. */
  readonly processMs: number;
}

/** What a finished session reports. */
export interface SessionResult {
  readonly stats: SyncStats;
  /** The reference's `SyncOutcome`: counts and the newest timestamp per author received. */
  readonly outcome: SyncOutcome;
}

/** Progress of a running session, reported after every message this side processed. */
export interface SyncProgress {
  /** Messages sent and received so far. */
  readonly messages: number;
  /** Entries received so far. */
  readonly entriesReceived: number;
  /** Entries sent so far. */
  readonly entriesSent: number;
  /** Bytes read so far, frame headers included. */
  readonly bytesReceived: number;
  /** Bytes written so far, frame headers included. */
  readonly bytesSent: number;
}

/** Options of a session. */
export interface SessionOptions extends FramedChannelOptions, MessageLimits {
  /** Aborts the session with `DOCS_SYNC_TIMEOUT` after this many milliseconds in total (default 10 minutes). */
  readonly totalTimeout?: number;
  /**
   * Aborts the session with `DOCS_SYNC_TIMEOUT` when no byte was read or written for this many milliseconds; sets
   * the stream's idle timeout (default: keep the one the stream was opened with).
   */
  readonly idleTimeout?: number;
  /** Called after every message received or sent. */
  readonly onProgress?: (progress: SyncProgress) => void;
}

/** Default total session timeout: 10 minutes. */
export const DEFAULT_SESSION_TIMEOUT = 10 * 60_000;

/** The acceptor's decision on an incoming Init: sync this replica, or abort with a reason. */
export type AcceptDecision = { readonly replica: Replica } | { readonly reject: AbortReason };

/**
 * Runs the dialer ("Alice") side of a sync session on an open stream: sends Init with the replica's initial
 * message, then answers every Sync until one side has nothing more to say, then closes cleanly.
 * @throws {@link RemoteAbortError} `DOCS_SYNC_REMOTE_ABORT` when the peer refused (with its `reason`); SyncError
 *   `DOCS_SYNC_PROTOCOL_VIOLATION`, `DOCS_SYNC_TIMEOUT`, transport, framing and decoding errors (the stream is
 *   aborted on those).
 */
export async function syncAsDialer(
  stream: ByteStream,
  replica: Replica,
  options: SessionOptions = {},
): Promise<SessionResult> {
  return runSession(stream, options, async (messages, outcome, timed) => {
    await messages.send({ type: 'init', namespace: replica.namespace, message: await timed(() => replica.syncInitialMessage()) });
    for (;;) {
      const message = await messages.receive();
      if (message === undefined) return; // the acceptor had nothing more to say
      if (message.type === 'abort') {
        await messages.finish().catch(() => undefined);
        throw new RemoteAbortError(message.reason);
      }
      if (message.type === 'init') throw violation('unexpected Init from the acceptor');
      const reply = await timed(() => replica.syncProcessMessage(message.message, stream.remotePeer, outcome));
      if (reply === undefined) return;
      await messages.send({ type: 'sync', message: reply });
    }
  });
}

/**
 * Runs the acceptor ("Bob") side on an accepted stream: waits for Init, asks `accept` whether to sync that
 * namespace with this peer, then answers every Sync until one side has nothing more to say, then closes cleanly.
 * A rejection is sent as Abort and thrown as {@link SyncRejectedError} (`DOCS_SYNC_REJECTED`); so is an `accept`
 * that throws, with the reason `internal-server-error` and the error as `cause`.
 * @throws SyncError `DOCS_SYNC_REJECTED`, `DOCS_SYNC_PROTOCOL_VIOLATION`, `DOCS_SYNC_TIMEOUT`, transport, framing
 *   and decoding errors. The stream is aborted on any error but a rejection (which ends it cleanly).
 */
export async function syncAsAcceptor(
  stream: ByteStream,
  accept: (namespace: Uint8Array, peer: Uint8Array) => Promise<AcceptDecision> | AcceptDecision,
  options: SessionOptions = {},
): Promise<SessionResult & { readonly namespace: Uint8Array }> {
  let namespace: Uint8Array | undefined;
  const result = await runSession(stream, options, async (messages, outcome, timed) => {
    let replica: Replica | undefined;
    for (;;) {
      const message = await messages.receive();
      if (message === undefined) {
        if (replica === undefined) throw violation('the stream closed before the Init message');
        return;
      }
      let reply;
      if (message.type === 'init') {
        if (replica !== undefined) throw violation('a second Init message');
        namespace = message.namespace;
        let decision: AcceptDecision;
        let failure: unknown;
        try {
          decision = await accept(message.namespace, stream.remotePeer);
          if ('replica' in decision && !equalBytes(decision.replica.namespace, message.namespace)) {
            throw new TypeError('accept returned a replica of another namespace');
          }
        } catch (error) {
          // The reference's answer when its actor is gone: the peer learns that the failure is ours.
          decision = { reject: 'internal-server-error' };
          failure = error;
        }
        if ('reject' in decision) {
          await messages.send({ type: 'abort', reason: decision.reject });
          await messages.finish().catch(() => undefined);
          throw new SyncRejectedError(decision.reject, failure);
        }
        replica = decision.replica;
        reply = await timed(() => replica!.syncProcessMessage(message.message, stream.remotePeer, outcome));
      } else if (message.type === 'sync') {
        if (replica === undefined) throw violation('a Sync message before Init');
        reply = await timed(() => replica!.syncProcessMessage(message.message, stream.remotePeer, outcome));
      } else {
        throw violation('an Abort message from the dialer');
      }
      if (reply === undefined) return;
      await messages.send({ type: 'sync', message: reply });
    }
  });
  return { ...result, namespace: namespace! };
}

/** A sync the remote peer aborted (`DOCS_SYNC_REMOTE_ABORT`); `reason` is the reference's `AbortReason`. */
export class RemoteAbortError extends SyncError {
  /** Why the peer aborted. */
  readonly reason: AbortReason;
  constructor(reason: AbortReason) {
    super(SYNC_ERROR_CODES.REMOTE_ABORT, `the peer aborted the sync: ${reason}`);
    this.reason = reason;
  }
}

/** A sync this side refused and told the peer why (`DOCS_SYNC_REJECTED`); `reason` is what the peer was sent. */
export class SyncRejectedError extends SyncError {
  /** The reason sent to the peer. */
  readonly reason: AbortReason;
  constructor(reason: AbortReason, cause?: unknown) {
    super(SYNC_ERROR_CODES.REJECTED, `sync refused: ${reason}`, cause === undefined ? undefined : { cause });
    this.reason = reason;
  }
}

function violation(message: string): SyncError {
  return new SyncError(SYNC_ERROR_CODES.PROTOCOL_VIOLATION, message);
}

type Timed = <T>(work: () => Promise<T>) => Promise<T>;

/** Protocol messages over framed bytes. */
class MessageStream {
  readonly frames: FramedChannel;
  readonly #limits: MessageLimits;

  constructor(stream: ByteStream, options: SessionOptions) {
    this.frames = new FramedChannel(stream, options);
    this.#limits = options;
  }

  send(message: ProtocolMessage): Promise<void> {
    return this.frames.send(encodeProtocolMessage(message));
  }

  async receive(): Promise<ProtocolMessage | undefined> {
    const frame = await this.frames.receive();
    return frame === undefined ? undefined : decodeProtocolMessage(frame, this.#limits);
  }

  finish(): Promise<void> {
    return this.frames.finish();
  }

  abort(error?: unknown): void {
    this.frames.abort(error);
  }
}

async function runSession(
  stream: ByteStream,
  options: SessionOptions,
  exchange: (messages: MessageStream, outcome: SyncOutcome, timed: Timed) => Promise<void>,
): Promise<SessionResult> {
  const started = performance.now();
  if (options.idleTimeout !== undefined) stream.setIdleTimeout(options.idleTimeout);
  const outcome = createSyncOutcome();
  const messages = new MessageStream(stream, options);
  let processMs = 0;
  const report = () =>
    options.onProgress?.({
      messages: messages.frames.framesSent + messages.frames.framesReceived,
      entriesReceived: outcome.entriesReceived,
      entriesSent: outcome.entriesSent,
      bytesReceived: messages.frames.bytesReceived,
      bytesSent: messages.frames.bytesSent,
    });
  const timed: Timed = async (work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      processMs += performance.now() - start;
      report();
    }
  };
  const totalTimeout = options.totalTimeout ?? DEFAULT_SESSION_TIMEOUT;
  const timer = setTimeout(
    () => messages.abort(new SyncError(SYNC_ERROR_CODES.TIMEOUT, `the sync took longer than ${totalTimeout} ms`)),
    totalTimeout,
  );
  unrefTimer(timer);
  try {
    await exchange(messages, outcome, timed);
    await messages.finish();
  } catch (error) {
    // A refusal either way was already ended cleanly; anything else leaves the stream in an unknown state.
    if (!(error instanceof SyncRejectedError || error instanceof RemoteAbortError)) messages.abort(error);
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return {
    outcome,
    stats: {
      entriesReceived: outcome.entriesReceived,
      entriesSent: outcome.entriesSent,
      entriesInvalid: outcome.entriesInvalid,
      roundTrips: Math.ceil((messages.frames.framesSent + messages.frames.framesReceived) / 2),
      bytesSent: messages.frames.bytesSent,
      bytesReceived: messages.frames.bytesReceived,
      totalMs: performance.now() - started,
      processMs,
    },
  };
}
