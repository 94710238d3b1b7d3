import { writeCapability } from '@docs/entry';
import type { DocsStore } from '@docs/store';
import { MemoryNetwork } from '@docs/sync-transport';
import { afterEach, describe, expect, test } from 'vitest';
import {
  Cleanup,
  LEVEL_STORE,
  SLOW,
  TRANSPORT_KINDS,
  expectConsistent,
  makeEntries,
  putAll,
  snapshot,
  startNode,
  syncFinished,
  testAuthor,
  testNamespace,
  until,
} from './helpers.js';

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/**
 * Entries in the union of the two replicas, per transport: 10k over TCP and 3k over the others by default (the run
 * is dominated by the stores' inserts, the same over every transport), 25k over each with SLOW=1.
 */
const COUNTS: Record<string, number> = SLOW ? { memory: 25_000, tcp: 25_000, websocket: 25_000 } : { memory: 3_000, tcp: 10_000, websocket: 3_000 };
const SIGNED = Math.max(...Object.values(COUNTS));

async function count(store: DocsStore, namespace: Uint8Array): Promise<number> {
  const ranges = store.ranges(namespace);
  const first = await ranges.firstKey();
  return ranges.count({ x: first, y: first });
}

describe.each(TRANSPORT_KINDS)('bulk convergence over the $name transport', (transport) => {
  const COUNT = COUNTS[transport.name]!;
  test(
    `${COUNT} entries: two level-store peers holding 60 % each converge in one session`,
    async () => {
      const namespace = testNamespace('bulk');
      const entries = (await makeEntries(namespace, testAuthor('bulk'), 'bulk/', SIGNED)).slice(0, COUNT);
      const network = new MemoryNetwork();
      const alice = await startNode(cleanup, 'alice', { transport, store: LEVEL_STORE, network });
      const bob = await startNode(cleanup, 'bob', { transport, store: LEVEL_STORE, network });
      for (const node of [alice, bob]) await node.store.importNamespace(writeCapability(namespace));
      // Alice holds the first 60 %, Bob the last 60 %: each lacks 40 % of the union.
      await putAll(alice.store, entries.slice(0, COUNT * 0.6));
      await putAll(bob.store, entries.slice(COUNT * 0.4));
      await alice.engine.startSync(namespace.id);
      await bob.engine.startSync(namespace.id, [alice.peer]);

      const finished = await until(() => syncFinished(bob)[0], 170_000, 'the session');
      expect(finished.result.ok).toBe(true);
      if (!finished.result.ok) return;
      expect(finished.result.stats.entriesReceived).toBeGreaterThanOrEqual(COUNT * 0.4);
      expect(finished.result.stats.entriesSent).toBeGreaterThanOrEqual(COUNT * 0.4);
      await until(async () => (await count(alice.store, namespace.id)) === COUNT && (await count(bob.store, namespace.id)) === COUNT, 30_000);
      expect(await snapshot(bob.store, namespace.id)).toEqual(await snapshot(alice.store, namespace.id));
      await expectConsistent(alice.store, namespace.id);
      await expectConsistent(bob.store, namespace.id);
    },
    SLOW ? 1_800_000 : 180_000,
  );
});
