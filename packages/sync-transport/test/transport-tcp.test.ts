import { connect, createServer, type Server } from 'node:net';
import { concatBytes, equalBytes } from '@docs/crypto';
import { NodeSecret, SYNC_ERROR_CODES } from '@docs/sync-transport';
import { runTransportConformance } from '@docs/sync-transport/conformance';
import { tcpTransport } from '@docs/sync-transport/tcp';
import { describe, expect, it } from 'vitest';
import { formatHostPort, parseHostPort } from '../src/transport/host-port.js';
import { ChunkParser, chunkHeader, MAX_STREAM_CHUNK } from '../src/transport/stream-chunks.js';

runTransportConformance('tcp', {
  createTransport: (identity) => tcpTransport(identity),
  listenAddress: () => '127.0.0.1:0',
});

async function ipv6Loopback(): Promise<boolean> {
  const server: Server = createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen({ host: '::1', port: 0 }, () => server.close(() => resolve(true)));
  });
}

describe('tcp addresses', () => {
  it('parses and formats host:port and [v6]:port', () => {
    expect(parseHostPort('127.0.0.1:4919')).toEqual({ host: '127.0.0.1', port: 4919 });
    expect(parseHostPort('localhost:0')).toEqual({ host: 'localhost', port: 0 });
    expect(parseHostPort('[::1]:65535')).toEqual({ host: '::1', port: 65535 });
    expect(formatHostPort({ host: '::1', port: 80 })).toBe('[::1]:80');
    expect(formatHostPort({ host: '10.0.0.1', port: 80 })).toBe('10.0.0.1:80');
    for (const bad of ['127.0.0.1', '::1:80', '[::1]', 'host:65536', 'host:-1', ':80', 'a b:1', 'tcp://x:1', '']) {
      expect(() => parseHostPort(bad), bad).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.INVALID_ADDRESS }));
    }
  });

  it('dial and listen refuse malformed addresses; listening on a taken port fails', async () => {
    const transport = tcpTransport(NodeSecret.generate());
    await expect(transport.dial('nowhere', '/test/1')).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.INVALID_ADDRESS,
    });
    await expect(transport.listen('127.0.0.1', () => undefined)).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.INVALID_ADDRESS,
    });
    const listener = await transport.listen('127.0.0.1:0', () => undefined);
    await expect(transport.listen(listener.address, () => undefined)).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.LISTEN_FAILED,
    });
    await listener.close();
  });

  it('works over IPv6 loopback (skipped where the machine has none)', async (context) => {
    if (!(await ipv6Loopback())) context.skip();
    const bob = NodeSecret.generate();
    const listener = await tcpTransport(bob).listen('[::1]:0', async (stream) => {
      await stream.write(Uint8Array.of(6));
      await stream.end();
    });
    expect(listener.address).toMatch(/^\[::1\]:\d+$/);
    const stream = await tcpTransport(NodeSecret.generate()).dial(listener.address, '/test/1');
    expect(stream.remotePeer).toEqual(bob.id);
    expect([...((await stream.read()) ?? [])]).toEqual([6]);
    stream.abort();
    await listener.close();
  });
});

describe('tcp stream format', () => {
  it('the chunk parser passes payloads through at any split of the received bytes', () => {
    const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(70_000).fill(4), Uint8Array.of(5)];
    const wire = concatBytes(...payloads.flatMap((payload) => [chunkHeader(payload.length), payload]), chunkHeader(0));
    for (const pieceLength of [1, 2, 3, 5, 4096, wire.length]) {
      const parser = new ChunkParser();
      const received: Uint8Array[] = [];
      let endedAt: number | undefined;
      for (let offset = 0; offset < wire.length; offset += pieceLength) {
        parser.push(wire.subarray(offset, offset + pieceLength), {
          data: (bytes) => received.push(bytes.slice()),
          end: () => (endedAt = offset),
        });
      }
      expect(endedAt).toBe(Math.floor((wire.length - 1) / pieceLength) * pieceLength);
      expect(parser.midChunk).toBe(false);
      expect(equalBytes(concatBytes(...received), concatBytes(...payloads))).toBe(true);
    }
  });

  it('the chunk parser refuses an oversized chunk and bytes after the end marker', () => {
    const sink = { data: () => undefined, end: () => undefined };
    expect(() => new ChunkParser().push(chunkHeader(MAX_STREAM_CHUNK + 1), sink)).toThrow(RangeError);
    expect(() => new ChunkParser().push(concatBytes(chunkHeader(0), Uint8Array.of(1)), sink)).toThrow(RangeError);
    const partial = new ChunkParser();
    partial.push(concatBytes(chunkHeader(10), Uint8Array.of(1)), sink);
    expect(partial.midChunk).toBe(true);
  });

  it('a client that sends garbage is refused and the listener serves on', async () => {
    const errors: unknown[] = [];
    const listener = await tcpTransport(NodeSecret.generate()).listen('127.0.0.1:0', () => undefined, {
      onError: (error) => errors.push(error),
    });
    const { host, port } = parseHostPort(listener.address);
    const socket = connect({ host, port });
    socket.on('error', () => undefined); // the listener resets the connection
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write('GET / HTTP/1.1\r\nHost: example\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(errors).toMatchObject([{ code: SYNC_ERROR_CODES.CONNECTION_LOST }]);
    const stream = await tcpTransport(NodeSecret.generate()).dial(listener.address, '/test/1');
    stream.abort();
    await listener.close();
  });

  it('a peer that ends its connection without the end marker has lost the stream', async () => {
    const errors: unknown[] = [];
    const listener = await tcpTransport(NodeSecret.generate()).listen('127.0.0.1:0', () => undefined, {
      onError: (error) => errors.push(error),
    });
    const { host, port } = parseHostPort(listener.address);
    // A raw client: one valid chunk holding the start of a hello, then FIN without the end marker.
    const socket = connect({ host, port, allowHalfOpen: true });
    socket.on('error', () => undefined); // the listener resets the connection
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.end(concatBytes(chunkHeader(5), Uint8Array.of(0x64, 0x6f, 0x63, 0x73, 0x01)));
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(errors).toMatchObject([{ code: SYNC_ERROR_CODES.CONNECTION_LOST }]);
    await listener.close();
  });
});
