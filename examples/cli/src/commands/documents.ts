import { bytesToHex } from '@docs/crypto';
import { capabilityNamespace } from '@docs/entry';
import { decodeDocTicket } from '@docs/sync-transport';
import { defineCommand } from '../command.js';
import { syncOnce, type SyncReport } from '../sync-once.js';
import { statsLine } from '../views.js';

/** `doc new [--no-switch]`: creates a document (a fresh namespace secret) and makes it the current one. */
export const docNew = defineCommand<{ readonly switch: boolean }, { readonly doc: string; readonly current: boolean }>({
  async run(node, args) {
    const replica = await node.docs.createNamespace();
    node.docs.close(replica.namespace);
    const doc = bytesToHex(replica.namespace);
    if (node.mode === 'serve') await node.engine.startSync(replica.namespace);
    if (args.switch) await node.dataDir.updateSettings({ currentDoc: doc });
    return { doc, current: args.switch };
  },
  render(result, _args, out) {
    out.line(result.doc);
  },
});

/** `doc list`: every document held, with the capability held (write or read), the current one marked. */
export const docList = defineCommand<
  Record<string, never>,
  { readonly docs: { readonly id: string; readonly capability: 'read' | 'write'; readonly current: boolean }[] }
>({
  async run(node) {
    const { currentDoc } = await node.dataDir.readSettings();
    const docs = (await node.docs.listNamespaces()).map((info) => {
      const id = bytesToHex(info.id);
      return { id, capability: info.kind, current: id === currentDoc };
    });
    return { docs };
  },
  render(result, _args, out) {
    for (const doc of result.docs) out.line(`${doc.current ? '*' : ' '} ${doc.id}  ${doc.capability}`);
  },
});

/** `doc switch <doc>`: makes a document the current one. */
export const docSwitch = defineCommand<{ readonly doc: string }, { readonly doc: string }>({
  async run(node, args) {
    const doc = bytesToHex(await node.doc(args.doc));
    await node.dataDir.updateSettings({ currentDoc: doc });
    return { doc };
  },
  render(result, _args, out) {
    out.line(`current document: ${result.doc}`);
  },
});

/** `doc share <read|write>`: a ticket for the document and this running node's addresses. */
export const docShare = defineCommand<{ readonly doc?: string; readonly mode: 'read' | 'write' }, { readonly doc: string; readonly mode: string; readonly ticket: string }>({
  needsRunningNode: 'a ticket carries the address of a running node: start `docs serve` on this data directory first',
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const ticket = await node.engine.share(namespace, args.mode);
    return { doc: bytesToHex(namespace), mode: args.mode, ticket };
  },
  render(result, _args, out) {
    out.line(result.ticket);
  },
});

/**
 * `doc join <ticket>`: imports the ticket's capability and syncs once with its peers (entries and content). On a
 * running node the document then keeps syncing live with them. If no peer can be reached, a document that was
 * new here is removed again and the command fails.
 */
export const docJoin = defineCommand<
  { readonly ticket: string; readonly switch: boolean; readonly timeoutMs: number },
  { readonly doc: string; readonly capability: 'read' | 'write'; readonly current: boolean; readonly sync: SyncReport }
>({
  async run(node, args, io) {
    const ticket = decodeDocTicket(args.ticket);
    const namespace = capabilityNamespace(ticket.capability);
    const outcome = await node.docs.importNamespace(ticket.capability);
    let sync: SyncReport;
    try {
      sync = await syncOnce(node, namespace, ticket.nodes, io, args.timeoutMs);
    } catch (error) {
      if (outcome === 'inserted') {
        await node.engine.leave(namespace);
        await node.docs.drop(namespace);
      }
      throw error;
    }
    if (node.mode === 'serve') await node.engine.startSync(namespace, ticket.nodes);
    const doc = bytesToHex(namespace);
    if (args.switch) await node.dataDir.updateSettings({ currentDoc: doc });
    const capability = (await node.docs.exportCapability(namespace)).kind;
    return { doc, capability, current: args.switch, sync };
  },
  render(result, _args, out) {
    out.line(`joined ${result.doc} (${result.capability})`);
    out.line(`synced with ${result.sync.peer}: ${statsLine(result.sync.stats)}`);
    if (result.sync.contentFetched + result.sync.contentMissing > 0) {
      out.line(`content: ${result.sync.contentFetched} fetched, ${result.sync.contentMissing} missing`);
    }
  },
});

/** `doc drop [doc]`: stops syncing a document and removes it and all its entries from the store. */
export const docDrop = defineCommand<{ readonly doc?: string }, { readonly doc: string; readonly dropped: boolean }>({
  async run(node, args) {
    const namespace = await node.doc(args.doc);
    const doc = bytesToHex(namespace);
    if (node.mode === 'serve') await node.engine.leave(namespace);
    const dropped = await node.docs.drop(namespace);
    const { currentDoc } = await node.dataDir.readSettings();
    if (currentDoc === doc) await node.dataDir.updateSettings({ currentDoc: undefined });
    return { doc, dropped };
  },
  render(result, _args, out) {
    out.line(`dropped ${result.doc}`);
  },
});
