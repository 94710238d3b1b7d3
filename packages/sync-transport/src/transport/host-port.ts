import { SYNC_ERROR_CODES, SyncError } from '../errors.js';

/** A TCP endpoint. */
export interface HostPort {
  /** A host name, an IPv4 address, or an IPv6 address without brackets. */
  readonly host: string;
  /** 0 to 65535; 0 asks a listener to pick a free port. */
  readonly port: number;
}

const BRACKETED = /^\[([^\s[\]/]+)\]:(\d{1,5})$/;
const PLAIN = /^([^\s:[\]/]+):(\d{1,5})$/;

/**
 * Parses `host:port` (`[v6address]:port` for IPv6).
 * @throws DocsError `DOCS_SYNC_INVALID_ADDRESS` for anything else.
 */
export function parseHostPort(address: string): HostPort {
  if (typeof address !== 'string') throw new TypeError('address must be a string');
  const match = BRACKETED.exec(address) ?? PLAIN.exec(address);
  const port = match === null ? Number.NaN : Number(match[2]);
  if (match === null || port > 65_535) {
    throw new SyncError(
      SYNC_ERROR_CODES.INVALID_ADDRESS,
      `expected host:port or [ipv6]:port with a port from 0 to 65535, got ${JSON.stringify(address)}`,
    );
  }
  return { host: match[1]!, port };
}

/** The text form of an endpoint: `host:port`, or `[host]:port` when the host is an IPv6 address. */
export function formatHostPort({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
