import { Author, NamespaceSecret, bytesToHex, equalBytes, type AuthorId, type NamespaceId } from '@docs/crypto';
import { capabilityNamespace, writeCapability, type Capability } from '@docs/entry';
import type { DocsStore, ImportNamespaceOutcome, NamespaceInfo } from '@docs/store';
import { REPLICA_ERROR_CODES, ReplicaError } from './errors.js';
import { Replica, type ReplicaOptions } from './replica.js';

/** How a {@link Docs} behaves. */
export interface DocsOptions {
  /**
   * The default author, if the application keeps its choice (it must be in the store). Without it the default
   * author is picked on first use: see {@link Docs.defaultAuthor}.
   */
  readonly defaultAuthor?: AuthorId;
  /** Options of every replica this `Docs` opens. */
  readonly replica?: ReplicaOptions;
}

interface OpenReplica {
  readonly replica: Replica;
  handles: number;
}

/**
 * A node's documents over one store: namespaces (create, import, list, open, close, drop, export), authors
 * (create, import, export, list, delete, a default) and the open {@link Replica}s.
 *
 * **Open replicas are shared and counted.** `open` returns the same `Replica` instance for a namespace while it
 * is open and counts the calls; `close` counts down and closes the replica at zero, so one part of an
 * application cannot close a replica another part still uses. (Calling `replica.close()` directly closes it for
 * every holder; the next `open` then returns a new instance.) `drop` refuses while the namespace is open, as the
 * reference does. The store belongs to the caller: `Docs` never closes it.
 */
export class Docs {
  /** The store every replica reads and writes. */
  readonly store: DocsStore;
  readonly #replicaOptions: ReplicaOptions;
  readonly #open = new Map<string, OpenReplica>();
  /** The default author's id, once given or picked. */
  #defaultAuthor: Promise<AuthorId> | undefined;

  constructor(store: DocsStore, options: DocsOptions = {}) {
    this.store = store;
    this.#replicaOptions = options.replica ?? {};
    if (options.defaultAuthor !== undefined) this.#defaultAuthor = Promise.resolve(options.defaultAuthor.slice());
  }

  /** Creates a namespace with a fresh secret, imports it and opens it. */
  async createNamespace(): Promise<Replica> {
    const secret = NamespaceSecret.generate();
    await this.store.importNamespace(writeCapability(secret));
    return this.open(secret.id);
  }

  /**
   * Imports a capability: adds the namespace, or upgrades a read capability to write (a write capability is never
   * downgraded). An open replica of the namespace is upgraded at once.
   */
  async importNamespace(capability: Capability): Promise<ImportNamespaceOutcome> {
    const outcome = await this.store.importNamespace(capability);
    const open = this.#openReplica(capabilityNamespace(capability));
    if (open !== undefined) open.replica.mergeCapability(capability);
    return outcome;
  }

  /** Every namespace in the store, with the kind of capability held. */
  listNamespaces(): Promise<NamespaceInfo[]> {
    return this.store.listNamespaces();
  }

  /**
   * Opens a namespace: the shared replica if it is open (the open count goes up), else a new one. Unknown →
   * `DOCS_REPLICA_NOT_FOUND`.
   */
  async open(namespace: NamespaceId): Promise<Replica> {
    const capability = await this.store.getCapability(namespace);
    if (capability === undefined) {
      throw new ReplicaError(REPLICA_ERROR_CODES.NOT_FOUND, `namespace ${bytesToHex(namespace)} is not in the store`);
    }
    const open = this.#openReplica(namespace);
    if (open !== undefined) {
      open.handles++;
      return open.replica;
    }
    const replica = new Replica(this.store, capability, this.#replicaOptions);
    this.#open.set(bytesToHex(namespace), { replica, handles: 1 });
    return replica;
  }

  /** True if the namespace has an open replica. */
  isOpen(namespace: NamespaceId): boolean {
    return this.#openReplica(namespace) !== undefined;
  }

  /**
   * Gives back one `open`: the replica closes when the last holder gives it back. Returns true if it closed now,
   * false if it stays open for other holders or was not open.
   */
  close(namespace: NamespaceId): boolean {
    const open = this.#openReplica(namespace);
    if (open === undefined) return false;
    if (--open.handles > 0) return false;
    open.replica.close();
    this.#open.delete(bytesToHex(namespace));
    return true;
  }

  /** Closes every open replica, whatever its open count. */
  closeAll(): void {
    for (const { replica } of this.#open.values()) replica.close();
    this.#open.clear();
  }

  /**
   * Removes a namespace and all its entries from the store. Open → `DOCS_REPLICA_STILL_OPEN` (close it first);
   * false if the store did not hold it.
   */
  async drop(namespace: NamespaceId): Promise<boolean> {
    if (this.isOpen(namespace)) {
      throw new ReplicaError(REPLICA_ERROR_CODES.STILL_OPEN, 'close the namespace before dropping it');
    }
    return this.store.removeNamespace(namespace);
  }

  /** The capability held for a namespace, to share it; unknown → `DOCS_REPLICA_NOT_FOUND`. */
  async exportCapability(namespace: NamespaceId): Promise<Capability> {
    const capability = await this.store.getCapability(namespace);
    if (capability === undefined) {
      throw new ReplicaError(REPLICA_ERROR_CODES.NOT_FOUND, `namespace ${bytesToHex(namespace)} is not in the store`);
    }
    return capability;
  }

  /** Creates an author with a fresh secret and stores it. */
  async createAuthor(): Promise<Author> {
    const author = Author.generate();
    await this.store.importAuthor(author);
    return author;
  }

  /** Stores an author secret (idempotent) and returns its id. */
  async importAuthor(author: Author): Promise<AuthorId> {
    await this.store.importAuthor(author);
    return author.id;
  }

  /** The author secret for an id, to back it up or move it; undefined if the store does not hold it. */
  exportAuthor(id: AuthorId): Promise<Author | undefined> {
    return this.store.getAuthor(id);
  }

  /** Every author id in the store, in byte order. */
  listAuthors(): Promise<AuthorId[]> {
    return this.store.listAuthors();
  }

  /**
   * Deletes an author secret (its entries stay). The default author → `DOCS_REPLICA_DEFAULT_AUTHOR` (set another
   * default first, as the reference requires); false if the store did not hold it.
   */
  async deleteAuthor(id: AuthorId): Promise<boolean> {
    if (this.#defaultAuthor !== undefined && equalBytes(await this.#defaultAuthor, id)) {
      throw new ReplicaError(REPLICA_ERROR_CODES.DEFAULT_AUTHOR, 'cannot delete the default author');
    }
    return this.store.deleteAuthor(id);
  }

  /**
   * The default author. The contract of a store has no slot for it, so it is chosen here and kept for the life of
   * this `Docs`: the `defaultAuthor` option or {@link setDefaultAuthor} if given; otherwise, on first use, the
   * store's first author in byte order, or a new author when the store has none. A store with one author thus
   * keeps the same default across restarts; an application with several should persist its choice and pass it
   * as the option. A default author missing from the store → `DOCS_REPLICA_AUTHOR_NOT_FOUND`.
   */
  async defaultAuthor(): Promise<Author> {
    const pick = (this.#defaultAuthor ??= this.#pickDefaultAuthor());
    let id: AuthorId;
    try {
      id = await pick;
    } catch (error) {
      if (this.#defaultAuthor === pick) this.#defaultAuthor = undefined; // let a later call try again
      throw error;
    }
    return this.#requireAuthor(id);
  }

  /** Makes an author in the store the default; not in the store → `DOCS_REPLICA_AUTHOR_NOT_FOUND`. */
  async setDefaultAuthor(id: AuthorId): Promise<void> {
    await this.#requireAuthor(id);
    this.#defaultAuthor = Promise.resolve(id.slice());
  }

  /** The store's first author, or a new one; concurrent first calls share one pick. */
  async #pickDefaultAuthor(): Promise<AuthorId> {
    const [first] = await this.store.listAuthors();
    return first ?? (await this.createAuthor()).id;
  }

  async #requireAuthor(id: AuthorId): Promise<Author> {
    const author = await this.store.getAuthor(id);
    if (author === undefined) {
      throw new ReplicaError(REPLICA_ERROR_CODES.AUTHOR_NOT_FOUND, `author ${bytesToHex(id)} is not in the store`);
    }
    return author;
  }

  /** The open (not closed) replica of a namespace; forgets one closed directly. */
  #openReplica(namespace: NamespaceId): OpenReplica | undefined {
    const key = bytesToHex(namespace);
    const open = this.#open.get(key);
    if (open === undefined || !open.replica.closed) return open;
    this.#open.delete(key);
    return undefined;
  }
}

