/** The Node side of the end-to-end test: a `docs` node listening on WebSocket, with one document. */
export interface NodePeer {
  /** `<node-id>@ws://127.0.0.1:<port>/docs`, as `docs serve --ws` prints it. */
  readonly peerAddress: string;
  /** Creates a document on the node; returns its id (hex) and a write ticket naming the node's addresses. */
  createDocument(): Promise<{ readonly id: string; readonly ticket: string }>;
  /** Writes `key` = `value` into the document as the node's author. */
  set(key: string, value: string): Promise<void>;
  /** The content of the key's latest entry as text; undefined if there is none (or it is deleted), or its content has not arrived yet. */
  get(key: string): Promise<string | undefined>;
  /** Whether the key has a latest entry that is not a tombstone. */
  has(key: string): Promise<boolean>;
  /**
   * Resolves once the node has received an entry for `key` from a peer: a value (and then its content too), or a
   * tombstone. Rejects after `timeoutMs`.
   */
  received(key: string, kind: 'value' | 'tombstone', timeoutMs: number): Promise<void>;
  /** Stops the node. */
  close(): Promise<void>;
}
