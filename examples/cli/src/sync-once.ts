import { setTimeout as delay } from 'node:timers/promises';
import { bytesToHex, type NamespaceId } from '@docs/crypto';
import type { PeerAddress, SyncStats } from '@docs/sync-transport';
import type { CommandIO } from './command.js';
import { CLI_ERROR_CODES, CliError } from './errors.js';
import type { DocsNode } from './node.js';

/**
 * After a sync that sent entries, how long the live link must stay without content requests before the peer is
 * taken to have fetched what it lacks (it asks as soon as the link is up).
 */
const SERVE_IDLE_MS = 1000;
const POLL_MS = 25;

/** What one sync with a peer did. */
export interface SyncReport {
  readonly doc: string;
  readonly peer: string;
  readonly stats: SyncStats;
  /** Content of received entries fetched from the peer. */
  readonly contentFetched: number;
  /** Content of received entries still missing when the wait ended (the peer lacks it, or the timeout). */
  readonly contentMissing: number;
}

/**
 * Reconciles a document with the first reachable of `peers`, then fetches the content of the entries received
 * (verified by hash) until all of it is here or `timeoutMs` passed. Progress goes to `io`. All peers
 * unreachable or refusing → the last peer's error.
 *
 * Content travels over a live link with the peer (the engine's `startSync`): on a running node (`docs serve`) that
 * link stays and the peer remains a neighbour of the document; a one-off command closes it when it ends.
 */
export async function syncOnce(
  node: DocsNode,
  namespace: NamespaceId,
  peers: readonly PeerAddress[],
  io: CommandIO,
  timeoutMs: number,
): Promise<SyncReport> {
  const { engine } = node;
  await engine.startSync(namespace); // subscribes the engine to the document, so received content is wanted
  const replica = await node.docs.open(namespace);
  const wanted = new Set<string>();
  const ready = new Set<string>();
  const checks: Promise<void>[] = [];
  let fetched = 0;
  const reportContent = (): void => io.progress({ task: 'content', value: fetched, total: wanted.size, unit: 'items' });
  const stopInserts = replica.on((event) => {
    if (event.type !== 'remote-insert' || !event.shouldDownload || event.contentStatus !== 'complete') return;
    if (event.entry.entry.record.len === 0n) return;
    const hash = bytesToHex(event.entry.entry.record.hash);
    checks.push(
      node.store.blobs.has(event.entry.entry.record.hash).then((has) => {
        if (!has && !ready.has(hash)) wanted.add(hash);
      }),
    );
  });
  let linkUp: number | undefined;
  let linkPeer: string | undefined;
  const stopEvents = engine.on((event) => {
    if (bytesToHex(event.namespace) !== bytesToHex(namespace)) return;
    if (event.type === 'sync-progress') {
      const { entriesReceived, entriesSent, messages } = event.progress;
      io.progress({ task: 'sync', value: entriesReceived, total: 0, unit: 'entries', detail: `${messages} messages, ${entriesSent} sent` });
    } else if (event.type === 'content-ready') {
      const hash = bytesToHex(event.hash);
      ready.add(hash);
      if (wanted.has(hash)) {
        fetched++;
        reportContent();
      }
    } else if (event.type === 'neighbor-up' && bytesToHex(event.peer) === linkPeer) {
      linkUp = performance.now();
    }
  });
  try {
    let failure: unknown = new CliError(CLI_ERROR_CODES.INVALID_ARGUMENT, 'no peer to sync with');
    for (const peer of peers) {
      const finished = await engine.syncWith(namespace, peer);
      if (!finished.result.ok) {
        failure = finished.result.error;
        continue;
      }
      await Promise.all(checks);
      const missing = () => [...wanted].filter((hash) => !ready.has(hash)).length;
      // Content travels over a live link with the peer, both ways: the peer asks for what it lacks of the entries
      // it received as soon as the link is up. A one-off command stays until it has been served; a running node
      // keeps the link anyway.
      const sent = finished.result.stats.entriesSent > 0;
      const mustServe = node.mode === 'direct' && sent;
      if (missing() > 0 || sent) {
        if (missing() > 0) reportContent();
        const linking = performance.now();
        linkPeer = bytesToHex(peer.id);
        await engine.startSync(namespace, [peer]);
        const served = () => {
          if (!mustServe) return true;
          const since = Math.max(linkUp ?? linking, node.contentServing.lastActivity);
          return node.contentServing.active === 0 && performance.now() - since >= SERVE_IDLE_MS;
        };
        await waitUntil(() => missing() === 0 && served(), timeoutMs, io.signal);
      }
      return { doc: bytesToHex(namespace), peer: bytesToHex(peer.id), stats: finished.result.stats, contentFetched: fetched, contentMissing: missing() };
    }
    throw failure;
  } finally {
    stopInserts();
    stopEvents();
    node.docs.close(namespace);
  }
}

/** Resolves once `done()` holds (polled), the timeout passes or `signal` aborts. */
async function waitUntil(done: () => boolean, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!done() && !signal.aborted && performance.now() < deadline) await delay(POLL_MS);
}
