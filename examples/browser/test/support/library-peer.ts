import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, idToString, type NamespaceId } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import { Docs } from '@docs/replica';
import { LevelStore } from '@docs/store-level';
import { NodeSecret, SyncEngine, webSocketTransport } from '@docs/sync-transport';
import type { NodePeer } from './node-peer.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A Node peer built from the libraries, as `docs serve --ws` builds one: store-level on classic-level in a
 * temporary directory, and a sync engine listening on WebSocket at 127.0.0.1.
 */
export async function startLibraryPeer(): Promise<NodePeer> {
  const directory = mkdtempSync(join(tmpdir(), 'docs-node-peer-'));
  const store = await LevelStore.open(directory);
  const docs = new Docs(store);
  const author = await docs.defaultAuthor();
  const engine = new SyncEngine({ docs, transports: { ws: webSocketTransport(NodeSecret.generate()) } });
  const address = await engine.listen('ws://127.0.0.1:0/docs');
  let document: NamespaceId | undefined;
  const latest = async (namespace: NamespaceId, key: string): Promise<SignedEntry | undefined> => {
    for await (const signed of store.query(namespace, { kind: 'single-latest-per-key', key: encoder.encode(key) })) return signed;
    return undefined;
  };
  const requireDocument = (): NamespaceId => {
    if (document === undefined) throw new TypeError('create a document first');
    return document;
  };

  return {
    peerAddress: `${idToString(engine.localPeer, 'base32')}@${address}`,
    async createDocument() {
      const replica = await docs.createNamespace();
      document = replica.namespace;
      docs.close(replica.namespace);
      return { id: bytesToHex(document), ticket: await engine.share(document, 'write') };
    },
    async set(key, value) {
      const namespace = requireDocument();
      const replica = await docs.open(namespace);
      try {
        await replica.setBytes(encoder.encode(key), author, encoder.encode(value));
      } finally {
        docs.close(namespace);
      }
    },
    async get(key) {
      const signed = await latest(requireDocument(), key);
      const content = signed === undefined ? undefined : await store.blobs.get(signed.entry.record.hash);
      return content === undefined ? undefined : decoder.decode(content);
    },
    async has(key) {
      return (await latest(requireDocument(), key)) !== undefined;
    },
    async close() {
      await engine.close();
      docs.closeAll();
      await store.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
