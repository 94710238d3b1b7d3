import { bytesToHex, hexToBytes, parseId, type Author, type AuthorId, type NamespaceId } from '@docs/crypto';
import { Docs } from '@docs/replica';
import { LevelStore } from '@docs/store-level';
import { SyncEngine, webSocketTransport, type NodeSecret } from '@docs/sync-transport';
import { tcpTransport } from '@docs/sync-transport/tcp';
import { nodeAddressBook } from './address-book.js';
import { ContentServingMonitor } from './content-serving.js';
import type { DataDirectory } from './data-dir.js';
import { CLI_ERROR_CODES, CliError, warningLine } from './errors.js';

/** How the node was opened: by `docs serve` (listening, syncing every document) or by one command. */
export type NodeMode = 'serve' | 'direct';

/**
 * A node over a data directory: the LevelDB store, the documents (`Docs`), the node secret and, when needed,
 * the sync engine. The command implementations run against it, in `docs serve` or in a one-off command.
 */
export class DocsNode {
  readonly dataDir: DataDirectory;
  readonly store: LevelStore;
  readonly docs: Docs;
  readonly secret: NodeSecret;
  readonly mode: NodeMode;
  /** Content reads that peers cause (see {@link ContentServingMonitor}). */
  readonly contentServing = new ContentServingMonitor();
  #engine: SyncEngine | undefined;

  private constructor(dataDir: DataDirectory, store: LevelStore, secret: NodeSecret, mode: NodeMode) {
    this.dataDir = dataDir;
    this.store = store;
    this.docs = new Docs(this.contentServing.observe(store));
    this.secret = secret;
    this.mode = mode;
  }

  /** Opens the store of a data directory (created if needed). Held by another process → `DOCS_STORE_LOCKED`. */
  static async open(dataDir: DataDirectory, mode: NodeMode): Promise<DocsNode> {
    await dataDir.ensure();
    const secret = await dataDir.nodeSecret();
    const store = await LevelStore.open(dataDir.storePath);
    return new DocsNode(dataDir, store, secret, mode);
  }

  /** The node id peers see (hex). */
  get nodeId(): string {
    return bytesToHex(this.secret.id);
  }

  /**
   * The sync engine (TCP and WebSocket), created on first use; `docs serve` makes it listen. Peers' addresses are
   * kept in `peers.json` (see {@link nodeAddressBook}); failures to read or save it are warnings on standard error.
   */
  get engine(): SyncEngine {
    this.#engine ??= new SyncEngine({
      docs: this.docs,
      transports: { tcp: tcpTransport(this.secret), ws: webSocketTransport(this.secret) },
      addressBook: nodeAddressBook(this.dataDir.peersPath, this.mode, warn),
      onAddressBookError: warn,
    });
    return this.#engine;
  }

  /** The default author: the one remembered in the settings, else the store's first (or a new one), remembered. */
  async defaultAuthor(): Promise<Author> {
    const settings = await this.dataDir.readSettings();
    if (settings.defaultAuthor !== undefined) {
      const author = await this.store.getAuthor(hexToBytes(settings.defaultAuthor));
      if (author !== undefined) return author;
    }
    const author = await this.docs.defaultAuthor();
    await this.dataDir.updateSettings({ defaultAuthor: bytesToHex(author.id) });
    return author;
  }

  /** The author named by an id or a unique hex prefix of one, or the default author. */
  async author(text: string | undefined): Promise<Author> {
    if (text === undefined) return this.defaultAuthor();
    const id = await this.authorId(text);
    const author = await this.store.getAuthor(id);
    if (author === undefined) throw new CliError(CLI_ERROR_CODES.UNKNOWN_ID, `unknown author ${text}`);
    return author;
  }

  /** The id of an author held here, from a full id or a unique hex prefix. */
  async authorId(text: string): Promise<AuthorId> {
    return resolveId(text, 'author', await this.store.listAuthors());
  }

  /** The document named by an id or a unique hex prefix of one, or the current document. */
  async doc(text: string | undefined): Promise<NamespaceId> {
    if (text === undefined) {
      const { currentDoc } = await this.dataDir.readSettings();
      if (currentDoc === undefined) {
        throw new CliError(CLI_ERROR_CODES.NO_DOCUMENT, 'no document given and no current document: pass --doc <id> or run `docs doc new`');
      }
      text = currentDoc;
    }
    const held = (await this.store.listNamespaces()).map((info) => info.id);
    return resolveId(text, 'document', held);
  }

  /** Stops the engine (if started) and closes every replica and the store. */
  async close(): Promise<void> {
    await this.#engine?.close();
    this.docs.closeAll();
    await this.store.close();
  }
}

/** Reports a problem the node goes on after on standard error, as one line with its code. */
function warn(error: unknown): void {
  process.stderr.write(warningLine(error));
}

/** Finds an id among those held: a full id (hex or base32) or a unique hex prefix of at least 4 characters. */
function resolveId(text: string, what: 'author' | 'document', held: readonly Uint8Array[]): Uint8Array {
  const hexes = held.map((id) => bytesToHex(id));
  const lower = text.toLowerCase();
  if (text.length === 64 || text.length === 52) {
    const hex = bytesToHex(parseId(text));
    const index = hexes.indexOf(hex);
    if (index < 0) throw new CliError(CLI_ERROR_CODES.UNKNOWN_ID, `unknown ${what} ${text}`);
    return held[index]!;
  }
  if (!/^[0-9a-f]{4,63}$/.test(lower)) {
    throw new CliError(CLI_ERROR_CODES.UNKNOWN_ID, `unknown ${what} ${JSON.stringify(text)}: give its id (64 hex characters) or a prefix of it`);
  }
  const matches = held.filter((_, index) => hexes[index]!.startsWith(lower));
  if (matches.length === 0) throw new CliError(CLI_ERROR_CODES.UNKNOWN_ID, `unknown ${what} ${text}`);
  if (matches.length > 1) throw new CliError(CLI_ERROR_CODES.UNKNOWN_ID, `${text} matches ${matches.length} ${what}s: give more characters`);
  return matches[0]!;
}
