import { bytesToHex, type AuthorId } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import type { Query } from '@docs/store';
import { base64ToBytes, bytesToBase64 } from '../bytes.js';
import { defineCommand } from '../command.js';
import { CLI_ERROR_CODES, CliError } from '../errors.js';
import type { DocsNode } from '../node.js';
import { displayKey, entryLine, entryView, type EntryView } from '../views.js';

const encoder = new TextEncoder();

/** Arguments every entry command takes: the document (default: current) and the author (default: default). */
export interface Target {
  readonly doc?: string;
  readonly author?: string;
}

/** `set <key> <value>`: stores the value as content and writes the entry (the newer value wins). */
export const set = defineCommand<Target & { readonly key: string; readonly valueBase64: string }, { readonly entry: EntryView }>({
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const author = await node.author(args.author);
    const replica = await node.docs.open(namespace);
    try {
      const { entry } = await replica.setBytes(encoder.encode(args.key), author, base64ToBytes(args.valueBase64));
      return { entry: entryView(entry) };
    } finally {
      node.docs.close(namespace);
    }
  },
  render(result, _args, out) {
    out.line(`${displayKey(result.entry.key)} = ${result.entry.hash} (${result.entry.len} B)`);
  },
});

/** What `get` returns: the entry, and unless `--hash` its content (as text when it is UTF-8, always as base64). */
export interface GetResult {
  readonly entry: EntryView;
  readonly content?: string;
  readonly contentBase64?: string;
}

/** `get <key> [--hash]`: the content of the newest entry for the key (of one author with `--author`). */
export const get = defineCommand<Target & { readonly key: string; readonly hashOnly: boolean }, GetResult>({
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const author = args.author === undefined ? undefined : await node.authorId(args.author);
    const signed = await latest(node, namespace, encoder.encode(args.key), author);
    if (signed === undefined) throw new CliError(CLI_ERROR_CODES.NOT_FOUND, `no entry for key ${JSON.stringify(args.key)}`);
    const entry = entryView(signed);
    if (args.hashOnly) return { entry };
    const content = await node.store.blobs.get(signed.entry.record.hash);
    if (content === undefined) {
      throw new CliError(CLI_ERROR_CODES.CONTENT_MISSING, `the content of ${JSON.stringify(args.key)} (${entry.hash}) has not arrived here yet`);
    }
    const text = decodeText(content);
    return { entry, ...(text === undefined ? {} : { content: text }), contentBase64: bytesToBase64(content) };
  },
  render(result, args, out) {
    if (args.hashOnly || result.contentBase64 === undefined) {
      out.line(result.entry.hash);
      return;
    }
    out.bytes(base64ToBytes(result.contentBase64));
  },
});

/** `ls [prefix] [--author] [--sort key|author] [--desc]`: the entries of the document (every author's). */
export const ls = defineCommand<
  { readonly doc?: string; readonly author?: string; readonly prefix?: string; readonly sort: 'key' | 'author'; readonly desc: boolean },
  { readonly entries: EntryView[] }
>({
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const query: Query = {
      sortBy: args.sort === 'key' ? 'key-author' : 'author-key',
      direction: args.desc ? 'desc' : 'asc',
      ...(args.author === undefined ? {} : { author: await node.authorId(args.author) }),
      ...(args.prefix === undefined ? {} : { keyPrefix: encoder.encode(args.prefix) }),
    };
    const entries: EntryView[] = [];
    for await (const signed of node.store.query(namespace, query)) entries.push(entryView(signed));
    return { entries };
  },
  render(result, _args, out) {
    const width = Math.min(40, Math.max(0, ...result.entries.map((entry) => displayKey(entry.key).length)));
    for (const entry of result.entries) out.line(entryLine(entry, width));
  },
});

/** `del <prefix>`: deletes the author's entries whose keys start with the prefix (a tombstone at the prefix). */
export const del = defineCommand<Target & { readonly prefix: string }, { readonly doc: string; readonly prefix: string; readonly removed: number }>({
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const author = await node.author(args.author);
    const replica = await node.docs.open(namespace);
    try {
      const removed = await replica.deletePrefix(encoder.encode(args.prefix), author);
      return { doc: bytesToHex(namespace), prefix: args.prefix, removed };
    } finally {
      node.docs.close(namespace);
    }
  },
  render(result, _args, out) {
    out.line(`deleted ${result.removed} ${result.removed === 1 ? 'entry' : 'entries'} under ${JSON.stringify(result.prefix)}`);
  },
});

/** The newest entry for a key (single-latest-per-key), optionally of one author. */
export async function latest(node: DocsNode, namespace: Uint8Array, key: Uint8Array, author: AuthorId | undefined): Promise<SignedEntry | undefined> {
  const query: Query = { kind: 'single-latest-per-key', key, ...(author === undefined ? {} : { author }) };
  for await (const signed of node.store.query(namespace, query)) return signed;
  return undefined;
}

function decodeText(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
