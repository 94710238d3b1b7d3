import { NodeSecret, SYNC_ERROR_CODES, webSocketTransport as nodeWebSocketTransport } from '@docs/sync-transport';
import { runTransportConformance } from '@docs/sync-transport/conformance';
import { describe, expect, it, vi } from 'vitest';
import { WebSocket } from 'ws';
// The browser implementation, which the package's `browser` condition selects, run in Node against the `ws`
// listener. `ws`'s client implements the standard WebSocket interface the browser adapter uses.
import { webSocketTransport as browserWebSocketTransport } from '../src/transport/websocket-browser.js';

vi.stubGlobal('WebSocket', WebSocket);

runTransportConformance('websocket (standard WebSocket API, dial only)', {
  createTransport: (identity) => nodeWebSocketTransport(identity),
  createDialer: (identity) => browserWebSocketTransport(identity),
  listenAddress: () => 'ws://127.0.0.1:0/docs',
  dialerPausesReading: false,
});

describe('websocket in browsers', () => {
  it('cannot listen', async () => {
    await expect(
      browserWebSocketTransport(NodeSecret.generate()).listen('ws://127.0.0.1:0/docs', () => undefined),
    ).rejects.toMatchObject({ code: SYNC_ERROR_CODES.LISTEN_FAILED });
  });

  it('refuses malformed addresses, and fails to dial where there is no WebSocket or no listener', async () => {
    const transport = browserWebSocketTransport(NodeSecret.generate());
    await expect(transport.dial('tcp://127.0.0.1:1', '/test/1')).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.INVALID_ADDRESS,
    });
    const listener = await nodeWebSocketTransport(NodeSecret.generate()).listen('ws://127.0.0.1:0/docs', () => undefined);
    const address = listener.address;
    await listener.close();
    await expect(transport.dial(address, '/test/1')).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.CONNECTION_FAILED,
    });
    vi.stubGlobal('WebSocket', undefined);
    try {
      await expect(transport.dial(address, '/test/1')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_FAILED,
      });
    } finally {
      vi.stubGlobal('WebSocket', WebSocket);
    }
  });
});
