import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { ByteChannel, ByteStream } from './byte-stream.js';
import { checkMilliseconds, unrefTimer } from './deadline.js';
import type { HandshakeResult } from './handshake.js';
import type { NodeId } from './node-key.js';

/** A channel after a successful handshake: the remote's proven id, the protocol, and an idle timeout. */
export class AuthenticatedStream implements ByteStream {
  readonly remotePeer: NodeId;
  readonly protocol: string;
  readonly #channel: ByteChannel;
  #leftover: Uint8Array | undefined;
  #idleTimeout: number | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastActivity = performance.now();
  #readEnded = false;
  #writeEnded = false;

  constructor(channel: ByteChannel, handshake: HandshakeResult, idleTimeout: number | undefined) {
    this.#channel = channel;
    this.remotePeer = handshake.remotePeer;
    this.protocol = handshake.protocol;
    this.#leftover = handshake.leftover;
    if (idleTimeout !== undefined) this.setIdleTimeout(idleTimeout);
  }

  async read(): Promise<Uint8Array | undefined> {
    const leftover = this.#leftover;
    if (leftover !== undefined) {
      this.#leftover = undefined;
      this.#touch();
      return leftover;
    }
    const chunk = await this.#channel.read();
    if (chunk === undefined) {
      this.#readEnded = true;
      this.#stopWhenDone();
    } else {
      this.#touch();
    }
    return chunk;
  }

  async write(chunk: Uint8Array): Promise<void> {
    await this.#channel.write(chunk);
    this.#touch();
  }

  async end(): Promise<void> {
    await this.#channel.end();
    this.#writeEnded = true;
    this.#stopWhenDone();
  }

  abort(error?: unknown): void {
    this.#stopTimer();
    this.#channel.abort(error);
  }

  setIdleTimeout(milliseconds: number | undefined): void {
    this.#stopTimer();
    this.#idleTimeout = milliseconds === undefined ? undefined : checkMilliseconds(milliseconds, 'idleTimeout');
    this.#lastActivity = performance.now();
    if (this.#idleTimeout !== undefined && !(this.#readEnded && this.#writeEnded)) this.#schedule(this.#idleTimeout);
  }

  #touch(): void {
    this.#lastActivity = performance.now();
  }

  #schedule(delay: number): void {
    this.#timer = setTimeout(() => this.#checkIdle(), delay);
    unrefTimer(this.#timer);
  }

  #checkIdle(): void {
    const idleTimeout = this.#idleTimeout;
    this.#timer = undefined;
    if (idleTimeout === undefined) return;
    const idle = performance.now() - this.#lastActivity;
    if (idle < idleTimeout) {
      this.#schedule(idleTimeout - idle);
      return;
    }
    this.#channel.abort(
      new SyncError(SYNC_ERROR_CODES.TIMEOUT, `no bytes were read or written for ${idleTimeout} ms`),
    );
  }

  #stopWhenDone(): void {
    if (this.#readEnded && this.#writeEnded) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
