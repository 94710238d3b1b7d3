import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

const MARKERS = /\/\/ --- README example start ---\n([\s\S]*?)\n\s*\/\/ --- README example end ---/;

/**
 * The example's lines without indentation and trailing comments (the README shows the output there), its static
 * imports written as the test's dynamic imports.
 */
function normalize(code: string): string[] {
  return code
    .split('\n')
    .map((line) => line.trim().replace(/\s{2,}\/\/ .*$/, ''))
    .map((line) => line.replace(/^import (\{[^}]*\}) from ('[^']*');$/, 'const $1 = await import($2);'))
    .filter((line) => line !== '');
}

// The README's example between the markers (imports written as dynamic imports, console captured), so that it
// stays runnable; the second test checks that the README still shows exactly this code.
it('README example: two engines over TCP, a ticket, content, a live update', async () => {
  const logs: string[] = [];
  const console = { log: (...values: unknown[]) => logs.push(values.join(' ')) };
  // --- README example start ---
  const { Docs } = await import('@docs/replica');
  const { MemoryStore } = await import('@docs/store-memory');
  const { NodeSecret, SyncEngine } = await import('@docs/sync-transport');
  const { tcpTransport } = await import('@docs/sync-transport/tcp');

  const utf8 = (text: string) => new TextEncoder().encode(text);
  const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

  async function startNode() {
    const docs = new Docs(new MemoryStore());
    const engine = new SyncEngine({ docs, transports: { tcp: tcpTransport(NodeSecret.generate()) } });
    await engine.listen('tcp://127.0.0.1:0');
    return { docs, engine };
  }

  /** Resolves on the next event of `type` a node's engine emits. */
  function next(node: Awaited<ReturnType<typeof startNode>>, type: string) {
    return new Promise<void>((resolve) => {
      const stop = node.engine.on((event) => {
        if (event.type !== type) return;
        stop();
        resolve();
      });
    });
  }

  const alice = await startNode();
  const bob = await startNode();

  // Alice writes a document (content goes to her blob store) and shares it: capability + her address.
  const doc = await alice.docs.createNamespace();
  const author = await alice.docs.defaultAuthor();
  await doc.setBytes(utf8('notes/hello'), author, utf8('Hello from Alice'));
  const ticket = await alice.engine.share(doc.namespace, 'write');
  console.log(ticket.slice(0, 3));

  // Bob imports the ticket in one call: he syncs, fetches the content (verified by hash), and stays linked.
  const contentReady = next(bob, 'content-ready');
  const replica = await bob.engine.importTicket(ticket);
  await contentReady;
  const hello = await replica.getExact(author.id, utf8('notes/hello'));
  console.log(text(await bob.docs.store.blobs.get(hello!.entry.record.hash)));

  // Later writes are pushed live to linked peers.
  const arrived = next(bob, 'insert-remote');
  await doc.setBytes(utf8('notes/later'), author, utf8('pushed'));
  await arrived;
  for await (const entry of replica.query()) console.log(text(entry.entry.id.key));

  await Promise.all([alice.engine.close(), bob.engine.close()]);
  // --- README example end ---
  expect(logs).toEqual(['doc', 'Hello from Alice', 'notes/hello', 'notes/later']);
});

it('the README shows the code of the example above', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf('## Example')))?.[1];
  const test = readFileSync(new URL(import.meta.url), 'utf8');
  const example = MARKERS.exec(test)?.[1];
  expect(block).toBeDefined();
  expect(normalize(block!)).toEqual(normalize(example!));
});
