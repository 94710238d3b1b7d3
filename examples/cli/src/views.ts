import { bytesToHex } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import type { LiveEvent, SyncStats } from '@docs/sync-transport';

/** An entry as the CLI prints it with `--json`: ids and hash in hex, the key as text and as hex. */
export interface EntryView {
  readonly doc: string;
  readonly author: string;
  /** The key decoded as UTF-8 (invalid bytes replaced); `keyHex` holds it exactly. */
  readonly key: string;
  readonly keyHex: string;
  readonly hash: string;
  readonly len: number;
  /** Microseconds since the Unix epoch. */
  readonly timestamp: number;
}

const utf8 = new TextDecoder();

/** The JSON view of a signed entry. */
export function entryView(signed: SignedEntry): EntryView {
  const { id, record } = signed.entry;
  return {
    doc: bytesToHex(id.namespace),
    author: bytesToHex(id.author),
    key: utf8.decode(id.key),
    keyHex: bytesToHex(id.key),
    hash: bytesToHex(record.hash),
    len: Number(record.len),
    timestamp: Number(record.timestamp),
  };
}

/** A key for people: its text with control characters (the `\0` of imported files) shown escaped. */
export function displayKey(key: string): string {
  return JSON.stringify(key).slice(1, -1);
}

/** The first characters of a hex id, enough to tell ids apart on screen. */
export function shortId(hex: string): string {
  return hex.slice(0, 10);
}

/** One line for an entry: key (padded to `keyWidth`), author, size, hash and time. */
export function entryLine(entry: EntryView, keyWidth = 0): string {
  const time = new Date(Math.floor(entry.timestamp / 1000)).toISOString();
  const size = `${entry.len} B`;
  return `${displayKey(entry.key).padEnd(keyWidth)}  @${shortId(entry.author)}  ${size.padStart(9)}  ${shortId(entry.hash)}  ${time}`;
}

/** A live event as printed by `watch` and `serve` with `--json` (progress events are not shown). */
export type EventView =
  | { readonly type: 'insert-local'; readonly doc: string; readonly entry: EntryView }
  | { readonly type: 'insert-remote'; readonly doc: string; readonly from: string; readonly entry: EntryView; readonly contentStatus: string }
  | { readonly type: 'content-ready'; readonly doc: string; readonly hash: string }
  | { readonly type: 'pending-content-ready'; readonly doc: string }
  | { readonly type: 'neighbor-up' | 'neighbor-down'; readonly doc: string; readonly peer: string }
  | {
      readonly type: 'sync-finished';
      readonly doc: string;
      readonly peer: string;
      readonly origin: string;
      readonly ok: boolean;
      readonly stats?: SyncStats;
      readonly error?: string;
    };

/** The view of an engine event; undefined for progress events. */
export function eventView(event: LiveEvent): EventView | undefined {
  const doc = bytesToHex(event.namespace);
  switch (event.type) {
    case 'insert-local':
      return { type: event.type, doc, entry: entryView(event.entry) };
    case 'insert-remote':
      return { type: event.type, doc, from: bytesToHex(event.from), entry: entryView(event.entry), contentStatus: event.contentStatus };
    case 'content-ready':
      return { type: event.type, doc, hash: bytesToHex(event.hash) };
    case 'pending-content-ready':
      return { type: event.type, doc };
    case 'neighbor-up':
    case 'neighbor-down':
      return { type: event.type, doc, peer: bytesToHex(event.peer) };
    case 'sync-finished': {
      const origin = event.origin.kind === 'accept' ? 'accept' : `connect:${event.origin.reason}`;
      const base = { type: event.type, doc, peer: bytesToHex(event.peer), origin };
      return event.result.ok
        ? { ...base, ok: true, stats: event.result.stats }
        : { ...base, ok: false, error: event.result.error instanceof Error ? event.result.error.message : String(event.result.error) };
    }
    case 'sync-progress':
      return undefined;
  }
}

/** One line for a live event. */
export function eventLine(event: EventView): string {
  const doc = shortId(event.doc);
  switch (event.type) {
    case 'insert-local':
      return `[${doc}] insert-local ${entryLine(event.entry)}`;
    case 'insert-remote':
      return `[${doc}] insert-remote from ${shortId(event.from)} ${entryLine(event.entry)} (content ${event.contentStatus})`;
    case 'content-ready':
      return `[${doc}] content-ready ${shortId(event.hash)}`;
    case 'pending-content-ready':
      return `[${doc}] all pending content ready`;
    case 'neighbor-up':
    case 'neighbor-down':
      return `[${doc}] ${event.type} ${shortId(event.peer)}`;
    case 'sync-finished':
      return event.ok && event.stats !== undefined
        ? `[${doc}] sync-finished with ${shortId(event.peer)} (${event.origin}): ${statsLine(event.stats)}`
        : `[${doc}] sync-failed with ${shortId(event.peer)} (${event.origin}): ${event.error ?? 'unknown error'}`;
  }
}

/** Sync counters on one line. */
export function statsLine(stats: SyncStats): string {
  return (
    `received ${stats.entriesReceived}, sent ${stats.entriesSent}` +
    (stats.entriesInvalid > 0 ? `, ${stats.entriesInvalid} invalid` : '') +
    `, ${stats.roundTrips} round trips, ${stats.bytesSent} B out / ${stats.bytesReceived} B in, ${Math.round(stats.totalMs)} ms`
  );
}
