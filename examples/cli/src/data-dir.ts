import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import envPaths from 'env-paths';
import { bytesToHex, hexToBytes } from '@docs/crypto';
import { NodeSecret } from '@docs/sync-transport';

/** What the CLI remembers between runs: the default author and the current document (hex ids). */
export interface Settings {
  readonly defaultAuthor?: string;
  readonly currentDoc?: string;
}

/** The default data directory: the user's data directory for `docs` (e.g. `$XDG_DATA_HOME/docs`). */
export function defaultDataDirectory(): string {
  return envPaths('docs', { suffix: '' }).data;
}

/**
 * A node's data directory:
 *
 * - `store/` — the LevelDB store (entries, authors, namespaces, content);
 * - `node.secret` — the node's Ed25519 secret (hex), so its node id is stable;
 * - `settings.json` — the default author and the current document;
 * - `peers.json` — the addresses of the peers the node learned (see `nodeAddressBook`);
 * - `rpc.json` and `rpc.sock` — while `docs serve` runs: how the other commands reach it.
 */
export class DataDirectory {
  readonly path: string;

  constructor(path: string) {
    this.path = resolve(path);
  }

  get storePath(): string {
    return join(this.path, 'store');
  }

  /** The peer address book: where the node's engine keeps peers' addresses across restarts. */
  get peersPath(): string {
    return join(this.path, 'peers.json');
  }

  get rpcInfoPath(): string {
    return join(this.path, 'rpc.json');
  }

  get socketPath(): string {
    return join(this.path, 'rpc.sock');
  }

  /** Creates the directory (private to the user) if needed. */
  async ensure(): Promise<void> {
    await mkdir(this.path, { recursive: true, mode: 0o700 });
  }

  /** The node secret, created on first use (two processes starting at once agree on one). */
  async nodeSecret(): Promise<NodeSecret> {
    const path = join(this.path, 'node.secret');
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) return NodeSecret.fromBytes(hexToBytes(text.trim()));
    const secret = NodeSecret.generate();
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, `${bytesToHex(secret.toBytes())}\n`, { mode: 0o600 });
    try {
      await link(temporary, path); // fails if another process created it first: then theirs is the one
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return this.nodeSecret();
    } finally {
      await rm(temporary, { force: true });
    }
    return secret;
  }

  async readSettings(): Promise<Settings> {
    const text = await readFile(join(this.path, 'settings.json'), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '{}';
      throw error;
    });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return {
      ...(typeof parsed['defaultAuthor'] === 'string' ? { defaultAuthor: parsed['defaultAuthor'] } : {}),
      ...(typeof parsed['currentDoc'] === 'string' ? { currentDoc: parsed['currentDoc'] } : {}),
    };
  }

  /** Changes some settings; `undefined` removes one. */
  async updateSettings(change: { readonly defaultAuthor?: string | undefined; readonly currentDoc?: string | undefined }): Promise<Settings> {
    const next: Record<string, string | undefined> = { ...(await this.readSettings()), ...change };
    for (const name of Object.keys(next)) if (next[name] === undefined) delete next[name];
    await this.writeAtomically(join(this.path, 'settings.json'), `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }

  /** Writes a file through a temporary file and a rename, readable by the user only. */
  async writeAtomically(path: string, text: string): Promise<void> {
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, text, { mode: 0o600 });
    try {
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }
}
