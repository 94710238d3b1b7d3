import { base32ToBytes, bytesToBase32, isDocsError } from '@docs/crypto';
import { ENTRY_ERROR_CODES, EntryError, PostcardReader, PostcardWriter, putCapability, takeCapability, type Capability } from '@docs/entry';
import { SYNC_ERROR_CODES, SyncError } from './errors.js';

/** A peer to sync with: its node id and the addresses it listens on (`tcp://host:port`, `ws://…`, `memory://…`). */
export interface PeerAddress {
  readonly id: Uint8Array;
  readonly addresses: readonly string[];
}

/** What a `doc…` ticket holds: the capability to read or write a document, and peers that have it. */
export interface DocTicket {
  readonly capability: Capability;
  readonly nodes: readonly PeerAddress[];
}

const TICKET_PREFIX = 'doc';
const RELAY_VARIANT = 0;
const IP_VARIANT = 1;

/**
 * Encodes a ticket as the reference does: `"doc"` + lowercase unpadded base32 of postcard
 * `Variant0 { capability, nodes: Vec<EndpointAddr { id, addrs }> }`. Addresses `tcp://<IPv4 or [IPv6]>:<port>`
 * travel as the reference's IP socket addresses; any other address (a WebSocket URL, a host name) travels as a
 * URL in the relay-URL slot.
 */
export function encodeDocTicket(ticket: DocTicket): string {
  if (ticket.nodes.length === 0) throw new TypeError('a ticket names at least one peer');
  const writer = putCapability(new PostcardWriter(128).varint(0), ticket.capability).varint(ticket.nodes.length);
  for (const node of ticket.nodes) {
    if (node.id.length !== 32) throw new RangeError('a node id has 32 bytes');
    writer.raw(node.id).varint(node.addresses.length);
    for (const address of [...node.addresses].sort()) putAddress(writer, address);
  }
  return TICKET_PREFIX + bytesToBase32(writer.finish());
}

/** Decodes a `doc…` ticket; anything malformed, or a ticket without peers → `DOCS_SYNC_INVALID_TICKET`. */
export function decodeDocTicket(text: string): DocTicket {
  try {
    if (!text.startsWith(TICKET_PREFIX)) throw new TypeError('a document ticket starts with "doc"');
    const reader = new PostcardReader(base32ToBytes(text.slice(TICKET_PREFIX.length)));
    const variant = reader.varint('ticket variant');
    if (variant !== 0n) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown ticket variant ${variant}`);
    const capability = takeCapability(reader);
    const count = reader.count(33, 'node count');
    const nodes: PeerAddress[] = [];
    for (let index = 0; index < count; index++) {
      const id = reader.raw(32, 'node id');
      const addressCount = reader.count(2, 'address count');
      const addresses: string[] = [];
      for (let address = 0; address < addressCount; address++) addresses.push(takeAddress(reader));
      nodes.push({ id, addresses });
    }
    reader.end('ticket');
    if (nodes.length === 0) throw new TypeError('the ticket names no peer');
    return { capability, nodes };
  } catch (error) {
    if (!(error instanceof TypeError) && !isDocsError(error)) throw error;
    throw new SyncError(SYNC_ERROR_CODES.INVALID_TICKET, `not a valid document ticket: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function putAddress(writer: PostcardWriter, address: string): void {
  const ip = parseTcpIpAddress(address);
  if (ip === undefined) {
    writer.varint(RELAY_VARIANT).bytes(new TextEncoder().encode(address));
    return;
  }
  writer.varint(IP_VARIANT).varint(ip.octets.length === 4 ? 0 : 1).raw(ip.octets).varint(ip.port);
}

function takeAddress(reader: PostcardReader): string {
  const variant = reader.varint('address variant');
  if (variant === BigInt(RELAY_VARIANT)) return new TextDecoder('utf-8', { fatal: true }).decode(reader.bytes('url'));
  if (variant !== BigInt(IP_VARIANT)) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown address variant ${variant}`);
  const family = reader.varint('socket address family');
  if (family > 1n) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown socket address family ${family}`);
  const octets = reader.raw(family === 0n ? 4 : 16, 'ip address');
  const port = reader.varintAtMost(0xffff, 'port');
  return family === 0n ? `tcp://${octets.join('.')}:${port}` : `tcp://[${formatIpv6(octets)}]:${port}`;
}

function parseTcpIpAddress(address: string): { octets: Uint8Array; port: number } | undefined {
  const v4 = /^tcp:\/\/(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(address);
  if (v4 !== null) {
    const numbers = v4.slice(1).map(Number);
    if (numbers.slice(0, 4).every((n) => n <= 255) && numbers[4]! <= 0xffff) {
      return { octets: Uint8Array.from(numbers.slice(0, 4)), port: numbers[4]! };
    }
    return undefined;
  }
  const v6 = /^tcp:\/\/\[([0-9a-fA-F:]+)\]:(\d{1,5})$/.exec(address);
  if (v6 === null || Number(v6[2]) > 0xffff) return undefined;
  const octets = parseIpv6(v6[1]!);
  return octets === undefined ? undefined : { octets, port: Number(v6[2]) };
}

function parseIpv6(text: string): Uint8Array | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string) => (part === '' ? [] : part.split(':'));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) return undefined;
  const octets = new Uint8Array(16);
  groups.forEach((group, index) => new DataView(octets.buffer).setUint16(index * 2, parseInt(group, 16)));
  return octets;
}

function formatIpv6(octets: Uint8Array): string {
  const view = new DataView(octets.buffer, octets.byteOffset, 16);
  return Array.from({ length: 8 }, (_, index) => view.getUint16(index * 2).toString(16)).join(':');
}
