import { bytesToHex } from '@docs/crypto';
import { defineCommand } from '../command.js';
import { parsePeers } from '../peer-address.js';
import { syncOnce, type SyncReport } from '../sync-once.js';
import { eventView, statsLine } from '../views.js';

/** `sync <doc> <peer>`: reconciles a document once with a peer and fetches the content received; prints the stats. */
export const sync = defineCommand<{ readonly doc: string; readonly peer: string; readonly timeoutMs: number }, SyncReport>({
  async run(node, args, io) {
    const peers = parsePeers(args.peer);
    const namespace = await node.doc(args.doc);
    return syncOnce(node, namespace, peers, io, args.timeoutMs);
  },
  render(result, _args, out) {
    out.line(`synced ${result.doc} with ${result.peer}`);
    out.line(statsLine(result.stats));
    if (result.contentFetched + result.contentMissing > 0) {
      out.line(`content: ${result.contentFetched} fetched, ${result.contentMissing} missing`);
    }
  },
});

/** `watch [--all]`: streams the running node's live events for the document (or every document) until stopped. */
export const watch = defineCommand<{ readonly doc?: string; readonly all: boolean }, { readonly events: number }>({
  needsRunningNode: 'live events come from a running node: start `docs serve` on this data directory first',
  async run(node, args, io) {
    const doc = args.all ? undefined : bytesToHex(await node.doc(args.doc));
    let events = 0;
    const stop = node.engine.on((event) => {
      const view = eventView(event);
      if (view === undefined || (doc !== undefined && view.doc !== doc)) return;
      events++;
      io.event(view);
    });
    try {
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        io.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      stop();
    }
    return { events };
  },
  render() {
    // Events were printed as they came.
  },
});
