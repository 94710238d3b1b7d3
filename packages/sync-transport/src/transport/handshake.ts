import { concatBytes, equalBytes, verify } from '@docs/crypto';
import { SYNC_ERROR_CODES, SyncError } from '../errors.js';
import type { ByteChannel } from './byte-stream.js';
import { unrefTimer } from './deadline.js';
import { NODE_ID_LENGTH, type NodeId, type NodeIdentity } from './node-key.js';

/*
 * The connection handshake: proves both node ids and selects the protocol. The dialer speaks first:
 *
 *   dialer hello     "docs" 0x01 | dialer id (32) | dialer nonce (32) | protocol length (u8, 1..255) | protocol (UTF-8)
 *   listener hello   "docs" 0x01 | status (u8): 1 = unknown protocol, and nothing follows;
 *                                  0 = accepted, then listener id (32) | listener nonce (32) | listener signature (64)
 *   dialer proof     dialer signature (64)
 *   listener verdict u8: 0 = accepted, the stream's bytes follow; 1 = refused (the dialer's signature is bad)
 *
 * Each signature is Ed25519 over TRANSCRIPT_DOMAIN | role (0 dialer, 1 listener) | dialer nonce | listener nonce |
 * dialer id | listener id | protocol length | protocol. Fresh nonces on both sides keep a signature from being
 * replayed into another connection; the role byte keeps one side's signature from being reflected as the other's.
 */

const MAGIC = new Uint8Array([0x64, 0x6f, 0x63, 0x73, 0x01]); // "docs", version 1
const TRANSCRIPT_DOMAIN = new TextEncoder().encode('docs-sync-transport/handshake/1');
const NONCE_LENGTH = 32;
const SIGNATURE_LENGTH = 64;
const MAX_PROTOCOL_LENGTH = 255;
const ROLE_DIALER = 0;
const ROLE_LISTENER = 1;
const STATUS_ACCEPTED = 0;
const STATUS_UNKNOWN_PROTOCOL = 1;
const VERDICT_ACCEPTED = 0;
const VERDICT_REFUSED = 1;

/** What a finished handshake established. */
export interface HandshakeResult {
  /** The authenticated id of the other node. */
  readonly remotePeer: NodeId;
  /** The protocol of the stream. */
  readonly protocol: string;
  /** Stream bytes that arrived together with the end of the handshake, to be read first. */
  readonly leftover: Uint8Array | undefined;
}

/**
 * The UTF-8 bytes of a protocol name.
 * @throws TypeError when `protocol` is not a string; RangeError when it is not 1 to 255 bytes of UTF-8.
 */
export function encodeProtocolName(protocol: string): Uint8Array {
  if (typeof protocol !== 'string') throw new TypeError('protocol must be a string');
  const bytes = new TextEncoder().encode(protocol);
  // A lone surrogate would be encoded as U+FFFD: the name would not survive the trip.
  const wellFormed = new TextDecoder().decode(bytes) === protocol;
  if (bytes.length < 1 || bytes.length > MAX_PROTOCOL_LENGTH || !wellFormed) {
    throw new RangeError(`a protocol name is 1 to ${MAX_PROTOCOL_LENGTH} bytes of UTF-8`);
  }
  return bytes;
}

function handshakeFailed(message: string, cause?: unknown): SyncError {
  return new SyncError(SYNC_ERROR_CODES.HANDSHAKE_FAILED, message, cause === undefined ? undefined : { cause });
}

function randomNonce(): Uint8Array {
  return globalThis.crypto.getRandomValues(new Uint8Array(NONCE_LENGTH));
}

interface TranscriptParts {
  readonly dialerNonce: Uint8Array;
  readonly listenerNonce: Uint8Array;
  readonly dialerId: NodeId;
  readonly listenerId: NodeId;
  readonly protocol: Uint8Array;
}

function transcript(role: number, parts: TranscriptParts): Uint8Array {
  return concatBytes(
    TRANSCRIPT_DOMAIN,
    Uint8Array.of(role),
    parts.dialerNonce,
    parts.listenerNonce,
    parts.dialerId,
    parts.listenerId,
    Uint8Array.of(parts.protocol.length),
    parts.protocol,
  );
}

async function signTranscript(identity: NodeIdentity, message: Uint8Array): Promise<Uint8Array> {
  const signature = await identity.sign(message);
  if (!(signature instanceof Uint8Array) || signature.length !== SIGNATURE_LENGTH) {
    throw new TypeError(`a node identity must sign with ${SIGNATURE_LENGTH}-byte signatures`);
  }
  return signature;
}

/**
 * The id of `identity`.
 * @throws TypeError unless it is 32 bytes.
 */
export function checkIdentity(identity: NodeIdentity): NodeId {
  const id = identity?.id;
  if (!(id instanceof Uint8Array) || id.length !== NODE_ID_LENGTH) {
    throw new TypeError(`a node identity's id must be ${NODE_ID_LENGTH} bytes`);
  }
  return id;
}

/** Reads exact byte counts from a channel and keeps what arrives beyond them. */
class HandshakeReader {
  readonly #channel: ByteChannel;
  #buffered: Uint8Array = new Uint8Array(0);

  constructor(channel: ByteChannel) {
    this.#channel = channel;
  }

  async read(length: number): Promise<Uint8Array> {
    while (this.#buffered.length < length) {
      const chunk = await this.#channel.read();
      if (chunk === undefined) throw handshakeFailed('the peer closed the connection during the handshake');
      this.#buffered = this.#buffered.length === 0 ? chunk : concatBytes(this.#buffered, chunk);
    }
    const bytes = this.#buffered.subarray(0, length);
    this.#buffered = this.#buffered.subarray(length);
    return bytes;
  }

  async readMagic(): Promise<void> {
    if (!equalBytes(await this.read(MAGIC.length), MAGIC)) {
      throw handshakeFailed('the peer does not speak the docs handshake, version 1');
    }
  }

  leftover(): Uint8Array | undefined {
    return this.#buffered.length === 0 ? undefined : this.#buffered;
  }
}

/**
 * Ends `channel` after a refusal and releases it when the peer closes, or after `graceMilliseconds`.
 * The refusal bytes must reach the peer, so the channel is not aborted at once.
 */
function closeAfterRefusal(channel: ByteChannel, refusal: Uint8Array, graceMilliseconds: number): void {
  const timer = setTimeout(() => channel.abort(), graceMilliseconds);
  unrefTimer(timer);
  const drain = async (): Promise<void> => {
    await channel.write(refusal);
    await channel.end();
    while ((await channel.read()) !== undefined);
  };
  drain()
    .catch(() => undefined)
    .finally(() => {
      clearTimeout(timer);
      channel.abort();
    });
}

/**
 * The dialer's side of the handshake on a fresh channel. On failure the channel is aborted.
 * @throws DocsError `DOCS_SYNC_HANDSHAKE_FAILED` (bad signature, unexpected peer, not our handshake),
 *   `DOCS_SYNC_UNKNOWN_PROTOCOL`, or the channel's error.
 */
export async function dialerHandshake(
  channel: ByteChannel,
  identity: NodeIdentity,
  protocol: string,
  expectedPeer?: NodeId,
): Promise<HandshakeResult> {
  const protocolBytes = encodeProtocolName(protocol);
  const dialerId = checkIdentity(identity);
  try {
    const dialerNonce = randomNonce();
    await channel.write(
      concatBytes(MAGIC, dialerId, dialerNonce, Uint8Array.of(protocolBytes.length), protocolBytes),
    );
    const reader = new HandshakeReader(channel);
    await reader.readMagic();
    const status = (await reader.read(1))[0];
    if (status === STATUS_UNKNOWN_PROTOCOL) {
      throw new SyncError(SYNC_ERROR_CODES.UNKNOWN_PROTOCOL, `the listener does not serve the protocol ${protocol}`);
    }
    if (status !== STATUS_ACCEPTED) throw handshakeFailed(`unknown handshake status ${status}`);
    const listenerId = (await reader.read(NODE_ID_LENGTH)).slice();
    const listenerNonce = await reader.read(NONCE_LENGTH);
    const listenerSignature = await reader.read(SIGNATURE_LENGTH);
    if (expectedPeer !== undefined && !equalBytes(listenerId, expectedPeer)) {
      throw handshakeFailed('the listener is not the expected node');
    }
    const parts: TranscriptParts = { dialerNonce, listenerNonce, dialerId, listenerId, protocol: protocolBytes };
    if (!(await verify(listenerId, transcript(ROLE_LISTENER, parts), listenerSignature))) {
      throw handshakeFailed("the listener's signature does not prove its node id");
    }
    await channel.write(await signTranscript(identity, transcript(ROLE_DIALER, parts)));
    const verdict = (await reader.read(1))[0];
    if (verdict === VERDICT_REFUSED) throw handshakeFailed('the listener refused our signature');
    if (verdict !== VERDICT_ACCEPTED) throw handshakeFailed(`unknown handshake verdict ${verdict}`);
    return { remotePeer: listenerId, protocol, leftover: reader.leftover() };
  } catch (error) {
    channel.abort(error);
    throw error;
  }
}

/**
 * The listener's side of the handshake on an accepted channel. On failure the channel is aborted (after
 * the refusal reached the dialer, at most `graceMilliseconds` later).
 * @param serves - whether a protocol has a handler
 * @throws DocsError `DOCS_SYNC_HANDSHAKE_FAILED`, `DOCS_SYNC_UNKNOWN_PROTOCOL`, or the channel's error.
 */
export async function listenerHandshake(
  channel: ByteChannel,
  identity: NodeIdentity,
  serves: (protocol: string) => boolean,
  graceMilliseconds: number,
): Promise<HandshakeResult> {
  const listenerId = checkIdentity(identity);
  let refused = false;
  const refuse = (refusal: Uint8Array): void => {
    refused = true;
    closeAfterRefusal(channel, refusal, graceMilliseconds);
  };
  try {
    const reader = new HandshakeReader(channel);
    await reader.readMagic();
    const dialerId = (await reader.read(NODE_ID_LENGTH)).slice();
    const dialerNonce = (await reader.read(NONCE_LENGTH)).slice();
    const protocolLength = (await reader.read(1))[0]!;
    if (protocolLength === 0) throw handshakeFailed('the dialer named an empty protocol');
    const protocolBytes = (await reader.read(protocolLength)).slice();
    let protocol: string;
    try {
      protocol = new TextDecoder('utf-8', { fatal: true }).decode(protocolBytes);
    } catch (cause) {
      throw handshakeFailed('the protocol name is not UTF-8', cause);
    }
    if (!serves(protocol)) {
      refuse(concatBytes(MAGIC, Uint8Array.of(STATUS_UNKNOWN_PROTOCOL)));
      throw new SyncError(SYNC_ERROR_CODES.UNKNOWN_PROTOCOL, `a dialer asked for the unknown protocol ${protocol}`);
    }
    const listenerNonce = randomNonce();
    const parts: TranscriptParts = { dialerNonce, listenerNonce, dialerId, listenerId, protocol: protocolBytes };
    const listenerSignature = await signTranscript(identity, transcript(ROLE_LISTENER, parts));
    await channel.write(concatBytes(MAGIC, Uint8Array.of(STATUS_ACCEPTED), listenerId, listenerNonce, listenerSignature));
    const dialerSignature = await reader.read(SIGNATURE_LENGTH);
    if (!(await verify(dialerId, transcript(ROLE_DIALER, parts), dialerSignature))) {
      refuse(Uint8Array.of(VERDICT_REFUSED));
      throw handshakeFailed("the dialer's signature does not prove its node id");
    }
    await channel.write(Uint8Array.of(VERDICT_ACCEPTED));
    return { remotePeer: dialerId, protocol, leftover: reader.leftover() };
  } catch (error) {
    if (!refused) channel.abort(error);
    throw error;
  }
}
