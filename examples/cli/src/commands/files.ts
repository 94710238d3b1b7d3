import { createReadStream } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, sep } from 'node:path';
import { bytesToHex } from '@docs/crypto';
import { plainBytes } from '../bytes.js';
import { defineCommand } from '../command.js';
import { CLI_ERROR_CODES, CliError } from '../errors.js';
import { displayKey, entryView } from '../views.js';
import { latest } from './entries.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What `import` stored. */
export interface ImportResult {
  readonly files: { readonly path: string; readonly key: string; readonly hash: string; readonly len: number }[];
  /** Empty files: an entry cannot hold empty content (that is a deletion). */
  readonly skipped: string[];
  readonly bytes: number;
}

/**
 * `import <path…> [--prefix p]`: stores files as content and writes one entry per file, as the reference does:
 * the key is the prefix, the path relative to the imported path's parent directory (`/` separated), and a
 * terminating `\0` — `import ~/photos` gives keys like `photos/cat.jpg\0`. Content is streamed into the store.
 */
export const importFiles = defineCommand<
  { readonly doc?: string; readonly author?: string; readonly paths: readonly string[]; readonly prefix: string },
  ImportResult
>({
  async run(node, args, io) {
    const namespace = await node.doc(args.doc);
    const author = await node.author(args.author);
    const files: { path: string; key: string; size: number }[] = [];
    for (const path of args.paths) {
      for (const file of await listFiles(path)) {
        const key = `${args.prefix}${relative(dirname(path), file).split(sep).join('/')}\0`;
        files.push({ path: file, key, size: (await stat(file)).size });
      }
    }
    const total = files.reduce((sum, file) => sum + file.size, 0);
    const replica = await node.docs.open(namespace);
    const result: ImportResult = { files: [], skipped: [], bytes: total };
    let done = 0;
    try {
      for (const file of files) {
        if (file.size === 0) {
          result.skipped.push(file.path);
          continue;
        }
        const stored = await node.store.blobs.putStream(
          readChunks(file.path, (length) => {
            done += length;
            io.progress({ task: 'import', value: done, total, unit: 'bytes', detail: basename(file.path) });
          }),
        );
        const { entry } = await replica.insert(encoder.encode(file.key), author, stored.hash, stored.length);
        const view = entryView(entry);
        result.files.push({ path: file.path, key: view.key, hash: view.hash, len: view.len });
      }
    } finally {
      node.docs.close(namespace);
    }
    return result;
  },
  render(result, _args, out) {
    for (const file of result.files) out.line(`${displayKey(file.key)}  ${file.len} B  ${file.hash.slice(0, 10)}`);
    for (const path of result.skipped) out.line(`skipped empty file ${path}`);
    out.line(`imported ${result.files.length} ${result.files.length === 1 ? 'file' : 'files'}, ${result.bytes} B`);
  },
});

/**
 * `export <key> <path>`: writes the content of the newest entry for the key to a file. The key may be given
 * without the `\0` that `import` appends. An existing directory as `path` receives the file under the key's last
 * segment.
 */
export const exportFile = defineCommand<
  { readonly doc?: string; readonly author?: string; readonly key: string; readonly path: string },
  { readonly key: string; readonly path: string; readonly hash: string; readonly len: number }
>({
  async run(node, args, io) {
    const namespace = await node.doc(args.doc);
    const author = args.author === undefined ? undefined : await node.authorId(args.author);
    const signed =
      (await latest(node, namespace, encoder.encode(args.key), author)) ??
      (args.key.endsWith('\0') ? undefined : await latest(node, namespace, encoder.encode(`${args.key}\0`), author));
    if (signed === undefined) throw new CliError(CLI_ERROR_CODES.NOT_FOUND, `no entry for key ${JSON.stringify(args.key)}`);
    const view = entryView(signed);
    const chunks = await node.store.blobs.getStream(signed.entry.record.hash);
    if (chunks === undefined) {
      throw new CliError(CLI_ERROR_CODES.CONTENT_MISSING, `the content of ${JSON.stringify(args.key)} (${view.hash}) has not arrived here yet`);
    }
    const keyName = decoder.decode(signed.entry.id.key).replace(/\0$/, '');
    const target = (await isDirectory(args.path)) ? join(args.path, basename(keyName)) : args.path;
    const temporary = `${target}.${process.pid}.part`;
    const file = await open(temporary, 'w');
    let written = 0;
    try {
      for await (const chunk of chunks) {
        await file.write(chunk);
        written += chunk.length;
        io.progress({ task: 'export', value: written, total: view.len, unit: 'bytes', detail: basename(target) });
      }
      await file.close();
      await rename(temporary, target);
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temporary, { force: true });
      throw error;
    }
    return { key: view.key, path: target, hash: bytesToHex(signed.entry.record.hash), len: view.len };
  },
  render(result, _args, out) {
    out.line(`wrote ${result.len} B to ${result.path}`);
  },
});

/** The files under a path (the path itself if it is a file), in name order. */
async function listFiles(path: string): Promise<string[]> {
  const info = await stat(path);
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.isDirectory() || entry.isFile()) out.push(...(await listFiles(join(path, entry.name))));
  }
  return out;
}

async function* readChunks(path: string, onBytes: (length: number) => void): AsyncGenerator<Uint8Array> {
  for await (const chunk of createReadStream(path, { highWaterMark: 256 * 1024 })) {
    const bytes = plainBytes(chunk as Buffer);
    onBytes(bytes.length);
    yield bytes;
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isDirectory(),
    () => false,
  );
}
