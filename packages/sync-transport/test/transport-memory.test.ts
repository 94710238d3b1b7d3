import {
  createChannelPair,
  MemoryNetwork,
  memoryTransport,
  NodeSecret,
  SYNC_ERROR_CODES,
} from '@docs/sync-transport';
import { runTransportConformance } from '@docs/sync-transport/conformance';
import { describe, expect, it } from 'vitest';

const network = new MemoryNetwork();

runTransportConformance('memory', {
  createTransport: (identity) => memoryTransport(identity, { network }),
  listenAddress: () => '',
});

describe('MemoryNetwork', () => {
  it('names endpoints, refuses taken names and unknown ones, and frees a name on close', async () => {
    const local = new MemoryNetwork();
    const first = await local.listen('', () => undefined);
    const second = await local.listen('', () => undefined);
    expect([first.address, second.address]).toEqual(['memory-1', 'memory-2']);
    const named = await local.listen('alice', () => undefined);
    await expect(local.listen('alice', () => undefined)).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.LISTEN_FAILED,
    });
    await expect(local.connect('bob')).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_FAILED });
    await named.close();
    await expect(local.connect('alice')).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_FAILED });
    const again = await local.listen('alice', () => undefined);
    expect(again.address).toBe('alice');
    expect(() => new MemoryNetwork({ highWaterMark: 0 })).toThrow(RangeError);
  });

  it('networks are isolated; the default network is shared', async () => {
    const secret = NodeSecret.generate();
    const listener = await memoryTransport(secret).listen('shared-name-test', () => undefined);
    const stream = await memoryTransport(NodeSecret.generate()).dial(listener.address, '/test/1');
    expect(stream.remotePeer).toEqual(secret.id);
    stream.abort();
    await expect(
      memoryTransport(NodeSecret.generate(), { network: new MemoryNetwork() }).dial(listener.address, '/test/1'),
    ).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_FAILED });
    await listener.close();
  });
});

describe('createChannelPair', () => {
  it('writes wait once highWaterMark bytes are unread, and go on when the reader catches up', async () => {
    const [a, b] = createChannelPair(1000);
    await a.write(new Uint8Array(600));
    const crossing = a.write(new Uint8Array(600));
    let settled = false;
    void crossing.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(settled).toBe(false);
    expect((await b.read())?.length).toBe(600);
    await crossing;
    expect((await b.read())?.length).toBe(600);
  });

  it('copies written chunks, so the writer may reuse its buffer', async () => {
    const [a, b] = createChannelPair();
    const buffer = Uint8Array.of(1, 2, 3);
    await a.write(buffer);
    buffer.fill(9);
    expect([...((await b.read()) ?? [])]).toEqual([1, 2, 3]);
    await expect(a.write('bytes' as unknown as Uint8Array)).rejects.toThrow(TypeError);
  });

  it('an end is read after the bytes before it, then on every later read; end() twice is harmless', async () => {
    const [a, b] = createChannelPair();
    await a.write(Uint8Array.of(7));
    await a.end();
    await a.end();
    expect([...((await b.read()) ?? [])]).toEqual([7]);
    expect(await b.read()).toBeUndefined();
    expect(await b.read()).toBeUndefined();
    await b.write(Uint8Array.of(8));
    expect([...((await a.read()) ?? [])]).toEqual([8]);
  });
});
