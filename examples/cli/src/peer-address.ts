import { parseId } from '@docs/crypto';
import { decodeDocTicket, type PeerAddress } from '@docs/sync-transport';
import { CLI_ERROR_CODES, CliError } from './errors.js';

/**
 * Parses the peer of `docs sync`: `<node-id>@<address>` where the node id is hex or base32 and the address is
 * `tcp://host:port`, `ws://host:port/path` or a bare `host:port` (TCP) — or a `doc…` ticket, whose peers are used.
 */
export function parsePeers(text: string): PeerAddress[] {
  if (text.startsWith('doc')) return [...decodeDocTicket(text).nodes];
  const at = text.indexOf('@');
  if (at < 0) {
    throw new CliError(
      CLI_ERROR_CODES.INVALID_ARGUMENT,
      `bad peer ${JSON.stringify(text)}: expected <node-id>@tcp://host:port (as \`docs serve\` prints it) or a doc… ticket`,
    );
  }
  let id: Uint8Array;
  try {
    id = parseId(text.slice(0, at));
  } catch (error) {
    throw new CliError(CLI_ERROR_CODES.INVALID_ARGUMENT, `bad peer node id ${JSON.stringify(text.slice(0, at))}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const address = text.slice(at + 1);
  if (/^(tcp|ws|wss):\/\/./i.test(address)) return [{ id, addresses: [address] }];
  if (/^[^/]+:\d+$/.test(address)) return [{ id, addresses: [`tcp://${address}`] }];
  throw new CliError(CLI_ERROR_CODES.INVALID_ARGUMENT, `bad peer address ${JSON.stringify(address)}: expected tcp://host:port or ws://host:port/path`);
}
