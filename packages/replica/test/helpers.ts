import { collect } from '@docs/store/conformance';
import { MemoryStore } from '@docs/store-memory';
import { bytesToHex } from '@docs/crypto';
import type { SignedEntry } from '@docs/entry';
import { createSyncOutcome, type Replica, type SyncOutcome } from '@docs/replica';
import { expect } from 'vitest';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** UTF-8 bytes. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text);
/** UTF-8 text of bytes. */
export const text = (bytes: Uint8Array): string => decoder.decode(bytes);

/** A fresh in-memory store. */
export function memoryStore(): MemoryStore {
  return new MemoryStore();
}

/** Keys of a replica's entries (tombstones hidden), sorted as text. */
export async function keysOf(replica: Replica, author?: Uint8Array): Promise<string[]> {
  const entries = await collect(replica.query(author === undefined ? {} : { author }));
  return entries.map((signed) => text(signed.entry.id.key)).sort();
}

/** Peer ids used in the reference tests. */
export const ALICE_PEER = new Uint8Array(32).fill(1);
export const BOB_PEER = new Uint8Array(32).fill(2);

/**
 * The reference's `sync` helper: alice starts, the two exchange messages until one has nothing to say (at most 100
 * rounds), and the counts of both sides must mirror each other.
 */
export async function syncReplicas(
  alice: Replica,
  bob: Replica,
): Promise<{ alice: SyncOutcome; bob: SyncOutcome; rounds: number }> {
  const aliceOutcome = createSyncOutcome();
  const bobOutcome = createSyncOutcome();
  let toBob = await alice.syncInitialMessage();
  let rounds = 0;
  for (;;) {
    expect(rounds, 'too many rounds').toBeLessThan(100);
    rounds++;
    const toAlice = await bob.syncProcessMessage(toBob, ALICE_PEER, bobOutcome);
    if (toAlice === undefined) break;
    const next = await alice.syncProcessMessage(toAlice, BOB_PEER, aliceOutcome);
    if (next === undefined) break;
    toBob = next;
  }
  expect(aliceOutcome.entriesSent).toBe(bobOutcome.entriesReceived);
  expect(aliceOutcome.entriesReceived).toBe(bobOutcome.entriesSent);
  return { alice: aliceOutcome, bob: bobOutcome, rounds };
}

/** A comparable description of every entry (tombstones included): key, author, timestamp and hash. */
export async function snapshot(replica: Replica): Promise<string[]> {
  const entries = await collect(replica.query({ includeEmpty: true }));
  return entries.map(describe);
}

function describe(signed: SignedEntry): string {
  const { id, record } = signed.entry;
  return `${bytesToHex(id.author).slice(0, 8)}/${bytesToHex(id.key)}@${record.timestamp}#${bytesToHex(record.hash).slice(0, 8)}`;
}
