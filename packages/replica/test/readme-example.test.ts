import { expect, it } from 'vitest';

// The README's example between the markers (its imports written as dynamic imports, console captured), so that
// it stays runnable.
it('README example: two in-memory replicas reconciled by passing messages', async () => {
  const logs: string[] = [];
  const console = { log: (...values: unknown[]) => logs.push(values.join(' ')) };
  // --- README example start ---
  const { Author, NamespaceSecret } = await import('@docs/crypto');
  const { writeCapability } = await import('@docs/entry');
  const { Replica, createSyncOutcome } = await import('@docs/replica');
  const { MemoryStore } = await import('@docs/store-memory');

  const utf8 = (text: string) => new TextEncoder().encode(text);
  const namespace = NamespaceSecret.generate(); // the document's write capability
  const alice = new Replica(new MemoryStore(), writeCapability(namespace));
  const bob = new Replica(new MemoryStore(), writeCapability(namespace));
  const author = Author.generate();

  await alice.hashAndInsert(utf8('fruit/apple'), author, utf8('red'));
  await bob.hashAndInsert(utf8('fruit/banana'), author, utf8('yellow'));
  bob.on((event) => console.log(event.type, new TextDecoder().decode(event.entry.entry.id.key)));

  // Alice starts; each side answers the other's message until one has nothing more to say.
  const aliceId = new Uint8Array(32).fill(1); // peer ids, e.g. node public keys
  const bobId = new Uint8Array(32).fill(2);
  const aliceOutcome = createSyncOutcome();
  const bobOutcome = createSyncOutcome();
  let toBob = await alice.syncInitialMessage();
  for (;;) {
    const toAlice = await bob.syncProcessMessage(toBob, aliceId, bobOutcome);
    if (toAlice === undefined) break;
    const next = await alice.syncProcessMessage(toAlice, bobId, aliceOutcome);
    if (next === undefined) break;
    toBob = next;
  }
  console.log('alice sent', aliceOutcome.entriesSent, 'received', aliceOutcome.entriesReceived);
  for await (const entry of bob.query()) console.log(new TextDecoder().decode(entry.entry.id.key));
  // --- README example end ---
  expect(logs).toEqual(['remote-insert fruit/apple', 'alice sent 1 received 1', 'fruit/apple', 'fruit/banana']);
});
