import { Author, NamespaceSecret, compareBytes } from '@docs/crypto';
import { readCapability, writeCapability } from '@docs/entry';
import { Docs } from '@docs/replica';
import { collect } from '@docs/store/conformance';
import { describe, expect, it } from 'vitest';
import { keysOf, memoryStore, utf8 } from './helpers.js';

const code = (value: string) => expect.objectContaining({ code: value });

describe('Docs: namespaces', () => {
  it('creates, lists, opens (shared and counted), closes and exports namespaces', async () => {
    const docs = new Docs(memoryStore());
    const replica = await docs.createNamespace();
    expect(await docs.listNamespaces()).toEqual([{ id: replica.namespace, kind: 'write' }]);
    expect(await docs.open(replica.namespace)).toBe(replica);
    expect(docs.close(replica.namespace)).toBe(false);
    expect(replica.closed).toBe(false);
    expect(docs.close(replica.namespace)).toBe(true);
    expect(replica.closed).toBe(true);
    expect(docs.isOpen(replica.namespace)).toBe(false);
    expect(docs.close(replica.namespace)).toBe(false);
    const reopened = await docs.open(replica.namespace);
    expect(reopened).not.toBe(replica);
    const capability = await docs.exportCapability(replica.namespace);
    expect(capability.kind).toBe('write');
    expect(capability.kind === 'write' && capability.secret.id).toEqual(replica.namespace);
    await expect(docs.exportCapability(NamespaceSecret.generate().id)).rejects.toThrow(code('DOCS_REPLICA_NOT_FOUND'));
  });

  it('open of an unknown namespace → DOCS_REPLICA_NOT_FOUND', async () => {
    const docs = new Docs(memoryStore());
    await expect(docs.open(NamespaceSecret.generate().id)).rejects.toThrow(code('DOCS_REPLICA_NOT_FOUND'));
  });

  it('test_replica_remove: drop refuses while open; after close the entries are gone and re-creating works', async () => {
    const docs = new Docs(memoryStore());
    const secret = NamespaceSecret.generate();
    const author = Author.generate();
    expect(await docs.importNamespace(writeCapability(secret))).toBe('inserted');
    const replica = await docs.open(secret.id);
    const { entry } = await replica.hashAndInsert(utf8('foo'), author, utf8('bar'));
    await expect(docs.drop(secret.id)).rejects.toThrow(code('DOCS_REPLICA_STILL_OPEN'));
    docs.close(secret.id);
    expect(await docs.drop(secret.id)).toBe(true);
    expect(await collect(docs.store.query(secret.id))).toEqual([]);
    await expect(docs.open(secret.id)).rejects.toThrow(code('DOCS_REPLICA_NOT_FOUND'));
    expect(await docs.drop(secret.id)).toBe(false);
    await docs.importNamespace(writeCapability(secret));
    const recreated = await docs.open(secret.id);
    await recreated.insert(utf8('foo'), author, entry.entry.record.hash, 3);
    expect(await keysOf(recreated)).toEqual(['foo']);
  });

  it('test_actor_capability: a write import upgrades the open replica; a read import never downgrades', async () => {
    const docs = new Docs(memoryStore());
    const secret = NamespaceSecret.generate();
    const author = await docs.createAuthor();
    expect(await docs.importNamespace(readCapability(secret.id))).toBe('inserted');
    const replica = await docs.open(secret.id);
    await expect(replica.hashAndInsert(utf8('foo'), author, utf8('bar'))).rejects.toThrow(code('DOCS_REPLICA_READ_ONLY'));
    expect(await docs.importNamespace(writeCapability(secret))).toBe('upgraded');
    await replica.hashAndInsert(utf8('foo'), author, utf8('bar'));
    docs.close(secret.id);
    await expect(replica.hashAndInsert(utf8('foo'), author, utf8('bar'))).rejects.toThrow(code('DOCS_REPLICA_CLOSED'));
    const reopened = await docs.open(secret.id);
    await reopened.hashAndInsert(utf8('foo'), author, utf8('bar'));
    expect(await docs.importNamespace(readCapability(secret.id))).toBe('no-change');
    docs.close(secret.id);
    await (await docs.open(secret.id)).hashAndInsert(utf8('foo'), author, utf8('bar'));
    expect(await docs.listNamespaces()).toEqual([{ id: secret.id, kind: 'write' }]);
  });

  it('a replica closed directly is replaced on the next open; closeAll closes every replica', async () => {
    const docs = new Docs(memoryStore());
    const first = await docs.createNamespace();
    const second = await docs.createNamespace();
    first.close();
    expect(docs.isOpen(first.namespace)).toBe(false);
    const again = await docs.open(first.namespace);
    expect(again).not.toBe(first);
    docs.closeAll();
    expect(again.closed && second.closed).toBe(true);
    expect(docs.isOpen(second.namespace)).toBe(false);
  });

  it('concurrent opens share one replica', async () => {
    const docs = new Docs(memoryStore());
    const { namespace } = await docs.createNamespace();
    docs.close(namespace);
    const [one, two] = await Promise.all([docs.open(namespace), docs.open(namespace)]);
    expect(one).toBe(two);
    expect(docs.close(namespace)).toBe(false);
    expect(docs.close(namespace)).toBe(true);
  });
});

describe('Docs: authors', () => {
  it('creates, imports, exports, lists and deletes authors', async () => {
    const docs = new Docs(memoryStore());
    const created = await docs.createAuthor();
    const imported = Author.generate();
    expect(await docs.importAuthor(imported)).toEqual(imported.id);
    const expected = [created.id, imported.id].sort(compareBytes);
    expect(await docs.listAuthors()).toEqual(expected);
    expect((await docs.exportAuthor(created.id))?.toBytes()).toEqual(created.toBytes());
    expect(await docs.deleteAuthor(imported.id)).toBe(true);
    expect(await docs.deleteAuthor(imported.id)).toBe(false);
    expect(await docs.exportAuthor(imported.id)).toBeUndefined();
  });

  it('the default author: created on first use in an empty store, then fixed, and not deletable', async () => {
    const docs = new Docs(memoryStore());
    const first = await docs.defaultAuthor();
    expect(await docs.listAuthors()).toEqual([first.id]);
    await docs.createAuthor();
    expect((await docs.defaultAuthor()).id).toEqual(first.id);
    await expect(docs.deleteAuthor(first.id)).rejects.toThrow(code('DOCS_REPLICA_DEFAULT_AUTHOR'));
  });

  it('the default author of a store with authors is its first author; a new Docs over the store agrees', async () => {
    const store = memoryStore();
    const authors = [Author.generate(), Author.generate(), Author.generate()];
    for (const author of authors) await store.importAuthor(author);
    const smallest = authors.map((author) => author.id).sort(compareBytes)[0]!;
    expect((await new Docs(store).defaultAuthor()).id).toEqual(smallest);
    expect((await new Docs(store).defaultAuthor()).id).toEqual(smallest);
  });

  it('concurrent first calls pick one default author', async () => {
    const docs = new Docs(memoryStore());
    const [one, two] = await Promise.all([docs.defaultAuthor(), docs.defaultAuthor()]);
    expect(one.id).toEqual(two.id);
    expect(await docs.listAuthors()).toHaveLength(1);
  });

  it('setDefaultAuthor and the defaultAuthor option; unknown authors → DOCS_REPLICA_AUTHOR_NOT_FOUND', async () => {
    const store = memoryStore();
    const docs = new Docs(store);
    const chosen = await docs.createAuthor();
    const other = await docs.createAuthor();
    await docs.setDefaultAuthor(chosen.id);
    expect((await docs.defaultAuthor()).id).toEqual(chosen.id);
    expect(await docs.deleteAuthor(other.id)).toBe(true);
    await expect(docs.setDefaultAuthor(Author.generate().id)).rejects.toThrow(code('DOCS_REPLICA_AUTHOR_NOT_FOUND'));
    expect((await new Docs(store, { defaultAuthor: chosen.id }).defaultAuthor()).id).toEqual(chosen.id);
    const missing = new Docs(store, { defaultAuthor: Author.generate().id });
    await expect(missing.defaultAuthor()).rejects.toThrow(code('DOCS_REPLICA_AUTHOR_NOT_FOUND'));
  });

  it('writes with the default author through an opened replica', async () => {
    const docs = new Docs(memoryStore());
    const replica = await docs.createNamespace();
    const author = await docs.defaultAuthor();
    await replica.hashAndInsert(utf8('hello'), author, utf8('world'));
    expect(await keysOf(replica, author.id)).toEqual(['hello']);
  });
});
