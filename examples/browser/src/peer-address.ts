import { bytesToHex, hexToBytes, parseId } from '@docs/crypto';
import type { PeerAddress } from '@docs/sync-transport';

/**
 * Parses a Node peer as `docs serve --ws` prints it: `<node-id>@ws://host:port/docs` (the node id in hex or
 * base32; `wss://` works too). A browser can only dial WebSocket addresses. Throws a TypeError with a message
 * for the page otherwise.
 */
export function parsePeerAddress(text: string): PeerAddress {
  const trimmed = text.trim();
  const at = trimmed.indexOf('@');
  if (at < 0) throw new TypeError('a peer is <node-id>@ws://host:port/docs, as `docs serve --ws` prints it');
  const address = trimmed.slice(at + 1);
  if (!/^wss?:\/\/[^/]+/i.test(address)) throw new TypeError(`a browser reaches peers over WebSocket: ws://… (got ${address})`);
  let id: Uint8Array;
  try {
    id = parseId(trimmed.slice(0, at));
  } catch {
    throw new TypeError(`not a node id: ${trimmed.slice(0, at)}`);
  }
  return { id, addresses: [address] };
}

/** A peer address as JSON-friendly text, for the page's saved state. */
export interface SavedPeer {
  readonly id: string;
  readonly addresses: readonly string[];
}

/** The saved form of a peer address. */
export function savePeer(peer: PeerAddress): SavedPeer {
  return { id: bytesToHex(peer.id), addresses: [...peer.addresses] };
}

/** A peer address from its saved form. */
export function loadPeer(saved: SavedPeer): PeerAddress {
  return { id: hexToBytes(saved.id), addresses: [...saved.addresses] };
}
