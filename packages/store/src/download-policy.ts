import { bytesToHex, hexToBytes } from '@docs/crypto';
import { ENTRY_ERROR_CODES, EntryError, PostcardReader, PostcardWriter } from '@docs/entry';

/** Matches keys: by prefix or exactly. */
export interface KeyFilter {
  readonly kind: 'prefix' | 'exact';
  readonly pattern: Uint8Array;
}

/**
 * Which content to download after sync: `everything-except` the filters (the default, with no filters) or
 * `nothing-except` the filters.
 */
export interface DownloadPolicy {
  readonly kind: 'nothing-except' | 'everything-except';
  readonly filters: readonly KeyFilter[];
}

/** The default policy: download everything. */
export const DEFAULT_DOWNLOAD_POLICY: DownloadPolicy = { kind: 'everything-except', filters: [] };

/** True if a filter matches a key. */
export function filterMatches(filter: KeyFilter, key: Uint8Array): boolean {
  const { pattern } = filter;
  if (filter.kind === 'exact' ? key.length !== pattern.length : key.length < pattern.length) return false;
  for (let index = 0; index < pattern.length; index++) if (key[index] !== pattern[index]) return false;
  return true;
}

/** True if the policy says the content of an entry with this key should be downloaded. */
export function shouldDownload(policy: DownloadPolicy, key: Uint8Array): boolean {
  const matched = policy.filters.some((filter) => filterMatches(filter, key));
  return policy.kind === 'everything-except' ? !matched : matched;
}

/** Postcard: `NothingExcept = 0 | EverythingExcept = 1`, then `Vec<FilterKind>` with `Prefix = 0 | Exact = 1` + bytes. */
export function encodeDownloadPolicy(policy: DownloadPolicy): Uint8Array {
  const writer = new PostcardWriter().varint(policy.kind === 'nothing-except' ? 0 : 1).varint(policy.filters.length);
  for (const filter of policy.filters) writer.varint(filter.kind === 'prefix' ? 0 : 1).bytes(filter.pattern);
  return writer.finish();
}

/** Decodes {@link encodeDownloadPolicy} output; malformed input → `DOCS_ENTRY_*` errors. */
export function decodeDownloadPolicy(bytes: Uint8Array): DownloadPolicy {
  const reader = new PostcardReader(bytes);
  const variant = reader.varint('download policy variant');
  if (variant > 1n) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown download policy variant ${variant}`);
  const count = reader.count(2, 'filter count');
  const filters: KeyFilter[] = [];
  for (let index = 0; index < count; index++) {
    const kind = reader.varint('filter kind');
    if (kind > 1n) throw new EntryError(ENTRY_ERROR_CODES.INVALID_TAG, `unknown filter kind ${kind}`);
    filters.push({ kind: kind === 0n ? 'prefix' : 'exact', pattern: reader.bytes('filter pattern') });
  }
  reader.end('download policy');
  return { kind: variant === 0n ? 'nothing-except' : 'everything-except', filters };
}

/** The reference's text form `kind:encoding:pattern`, e.g. `prefix:utf8:memes/futurama` or `exact:hex:00ff`. */
export function keyFilterToString(filter: KeyFilter): string {
  const utf8 = tryUtf8(filter.pattern);
  return utf8 === undefined ? `${filter.kind}:hex:${bytesToHex(filter.pattern)}` : `${filter.kind}:utf8:${utf8}`;
}

/** Parses {@link keyFilterToString}'s form; a malformed text → `TypeError`. */
export function parseKeyFilter(text: string): KeyFilter {
  const match = /^(prefix|exact):(utf8|hex):(.*)$/s.exec(text);
  if (match === null) throw new TypeError(`not a key filter (kind:encoding:pattern): ${text}`);
  const [, kind, encoding, pattern] = match as unknown as [string, 'prefix' | 'exact', 'utf8' | 'hex', string];
  return { kind, pattern: encoding === 'hex' ? hexToBytes(pattern) : new TextEncoder().encode(pattern) };
}

function tryUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
