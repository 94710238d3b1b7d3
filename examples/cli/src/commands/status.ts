import { bytesToHex } from '@docs/crypto';
import { defineCommand } from '../command.js';

/** What `status` reports. */
export interface StatusResult {
  readonly dataDir: string;
  readonly nodeId: string;
  /** True when a `docs serve` answered (the command ran in it). */
  readonly serving: boolean;
  /** Where a running node listens, as peers dial it. */
  readonly addresses: string[];
  readonly defaultAuthor: string;
  readonly currentDoc?: string;
  readonly docs: number;
}

/** `status`: the data directory, the node id, whether a node serves it and where, the defaults. */
export const status = defineCommand<Record<string, never>, StatusResult>({
  async run(node) {
    const { currentDoc } = await node.dataDir.readSettings();
    const serving = node.mode === 'serve';
    return {
      dataDir: node.dataDir.path,
      nodeId: node.nodeId,
      serving,
      addresses: serving ? node.engine.addresses : [],
      defaultAuthor: bytesToHex((await node.defaultAuthor()).id),
      ...(currentDoc === undefined ? {} : { currentDoc }),
      docs: (await node.docs.listNamespaces()).length,
    };
  },
  render(result, _args, out) {
    out.line(`data dir:       ${result.dataDir}`);
    out.line(`node id:        ${result.nodeId}`);
    out.line(`node:           ${result.serving ? `serving on ${result.addresses.join(', ')}` : 'not running'}`);
    for (const address of result.addresses) out.line(`peer address:   ${result.nodeId}@${address}`);
    out.line(`default author: ${result.defaultAuthor}`);
    out.line(`current doc:    ${result.currentDoc ?? '(none)'}`);
    out.line(`documents:      ${result.docs}`);
  },
});
