import { NodeSecret, SYNC_ERROR_CODES, webSocketTransport } from '@docs/sync-transport';
import { runTransportConformance } from '@docs/sync-transport/conformance';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';

runTransportConformance('websocket (ws)', {
  createTransport: (identity) => webSocketTransport(identity),
  listenAddress: () => 'ws://127.0.0.1:0/docs',
});

/** Opens a raw `ws` client to `address`. */
async function rawClient(address: string): Promise<WebSocket> {
  const socket = new WebSocket(address);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

describe('websocket addresses and listener', () => {
  it('refuses malformed addresses; listens on ws://host:port/path only', async () => {
    const transport = webSocketTransport(NodeSecret.generate());
    const invalid = { code: SYNC_ERROR_CODES.INVALID_ADDRESS };
    await expect(transport.dial('not a url', '/test/1')).rejects.toMatchObject(invalid);
    await expect(transport.dial('http://127.0.0.1:1/', '/test/1')).rejects.toMatchObject(invalid);
    await expect(transport.listen('wss://127.0.0.1:0/docs', () => undefined)).rejects.toMatchObject(invalid);
    await expect(transport.listen('ws://127.0.0.1:0/docs?x=1', () => undefined)).rejects.toMatchObject(invalid);
    await expect(transport.listen('127.0.0.1:0', () => undefined)).rejects.toMatchObject(invalid);
  });

  it('reports the port it got, refuses a taken port, other paths and plain HTTP', async () => {
    const transport = webSocketTransport(NodeSecret.generate());
    const listener = await transport.listen('ws://127.0.0.1:0/docs/sync', () => undefined);
    expect(listener.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/docs\/sync$/);
    const port = new URL(listener.address).port;
    expect(Number(port)).toBeGreaterThan(0);
    await expect(transport.listen(listener.address, () => undefined)).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.LISTEN_FAILED,
    });
    await expect(transport.dial(`ws://127.0.0.1:${port}/elsewhere`, '/test/1')).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.CONNECTION_FAILED,
    });
    const response = await fetch(`http://127.0.0.1:${port}/docs/sync`);
    expect(response.status).toBe(426);
    await listener.close();
  });

  it('a client that sends text, or a message above 1 MiB, is dropped; the listener serves on', async () => {
    const errors: unknown[] = [];
    const bob = NodeSecret.generate();
    const listener = await webSocketTransport(bob).listen('ws://127.0.0.1:0/docs', () => undefined, {
      onError: (error) => errors.push(error),
    });
    for (const message of ['hello', new Uint8Array(1024 * 1024 + 1)]) {
      const client = await rawClient(listener.address);
      const closed = new Promise<number>((resolve) => client.once('close', (code: number) => resolve(code)));
      client.send(message);
      expect(await closed).not.toBe(1000);
    }
    expect(errors).toMatchObject([
      { code: SYNC_ERROR_CODES.CONNECTION_LOST },
      { code: SYNC_ERROR_CODES.CONNECTION_LOST },
    ]);
    const stream = await webSocketTransport(NodeSecret.generate()).dial(listener.address, '/test/1');
    expect(stream.remotePeer).toEqual(bob.id);
    stream.abort();
    await listener.close();
  });

  it('a finished stream stays finished once the WebSocket closes: neither side sees a loss', async () => {
    const errors: unknown[] = [];
    let handled = false;
    const listener = await webSocketTransport(NodeSecret.generate()).listen(
      'ws://127.0.0.1:0/docs',
      async (stream) => {
        await stream.write(Uint8Array.of(1));
        await stream.end();
        expect(await stream.read()).toBeUndefined();
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await stream.read()).toBeUndefined();
        handled = true;
      },
      { onError: (error) => errors.push(error) },
    );
    const stream = await webSocketTransport(NodeSecret.generate()).dial(listener.address, '/test/1');
    expect([...((await stream.read()) ?? [])]).toEqual([1]);
    expect(await stream.read()).toBeUndefined();
    await stream.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stream.read()).toBeUndefined();
    expect(errors).toEqual([]);
    expect(handled).toBe(true);
    await listener.close();
  });
});
