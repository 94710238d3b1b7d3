import { concatBytes } from '@docs/crypto';
import {
  authenticatedTransport,
  createChannelPair,
  createMemoryPair,
  MemoryNetwork,
  memoryTransport,
  NodeSecret,
  SYNC_ERROR_CODES,
  type ByteChannel,
} from '@docs/sync-transport';
import { describe, expect, it } from 'vitest';
import { dialerHandshake, listenerHandshake } from '../src/transport/handshake.js';

const PROTOCOL = '/iroh-sync/1';
const MAGIC = [0x64, 0x6f, 0x63, 0x73, 0x01];

/** A channel that records every chunk written to it. */
function recording(channel: ByteChannel, written: Uint8Array[]): ByteChannel {
  return {
    read: () => channel.read(),
    write: (chunk) => {
      written.push(chunk.slice());
      return channel.write(chunk);
    },
    end: () => channel.end(),
    abort: (error) => channel.abort(error),
  };
}

/** Runs the listener's side against raw bytes from a scripted dialer. */
async function listenerAgainst(dialerBytes: Uint8Array): Promise<unknown> {
  const [dialer, listener] = createChannelPair();
  const result = listenerHandshake(listener, NodeSecret.generate(), (protocol) => protocol === PROTOCOL, 1_000);
  await dialer.write(dialerBytes);
  await dialer.end();
  return result.then(
    () => 'accepted',
    (error: unknown) => error,
  );
}

function dialerHello(protocol: Uint8Array, version = 1): Uint8Array {
  return concatBytes(
    Uint8Array.of(...MAGIC.slice(0, 4), version),
    NodeSecret.generate().id,
    new Uint8Array(32).fill(1),
    Uint8Array.of(protocol.length),
    protocol,
  );
}

describe('connection handshake', () => {
  it('refuses a peer that does not speak it, an unknown version, an empty or non-UTF-8 protocol name, a truncated hello', async () => {
    const refused = { code: SYNC_ERROR_CODES.HANDSHAKE_FAILED };
    const name = new TextEncoder().encode(PROTOCOL);
    expect(await listenerAgainst(new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toMatchObject(refused);
    expect(await listenerAgainst(dialerHello(name, 2))).toMatchObject(refused);
    expect(await listenerAgainst(dialerHello(new Uint8Array(0)))).toMatchObject(refused);
    expect(await listenerAgainst(dialerHello(Uint8Array.of(0x2f, 0xff, 0xfe)))).toMatchObject(refused);
    expect(await listenerAgainst(dialerHello(name).subarray(0, 40))).toMatchObject(refused);
  });

  it('refuses a dialer proof replayed from another connection', async () => {
    const listenerKey = NodeSecret.generate();
    const victim = NodeSecret.generate();
    const serves = (protocol: string): boolean => protocol === PROTOCOL;

    // An honest connection, observed: the dialer writes its hello, then its proof.
    const [dialerEnd, listenerEnd] = createChannelPair();
    const observed: Uint8Array[] = [];
    await Promise.all([
      dialerHandshake(recording(dialerEnd, observed), victim, PROTOCOL),
      listenerHandshake(listenerEnd, listenerKey, serves, 1_000),
    ]);
    expect(observed.length).toBe(2);

    // The replay: same hello, same proof; the listener's fresh nonce makes the proof worthless.
    const [attacker, listener] = createChannelPair();
    const outcome = listenerHandshake(listener, listenerKey, serves, 1_000);
    await attacker.write(observed[0]!);
    const listenerHello = await attacker.read();
    expect(listenerHello?.length).toBe(MAGIC.length + 1 + 32 + 32 + 64);
    await attacker.write(observed[1]!);
    await expect(outcome).rejects.toMatchObject({ code: SYNC_ERROR_CODES.HANDSHAKE_FAILED });
    expect([...((await attacker.read()) ?? [])]).toEqual([1]); // the verdict: refused
  });

  it('bytes that arrive together with the verdict are the first bytes of the stream', async () => {
    const [dialerEnd, listenerEnd] = createChannelPair();
    // Hold the 1-byte verdict and send it together with the next write, as TCP may coalesce them.
    let held: Uint8Array | undefined;
    const coalescing: ByteChannel = {
      read: () => listenerEnd.read(),
      write: async (chunk) => {
        if (chunk.length === 1 && held === undefined) {
          held = chunk.slice();
          return;
        }
        const merged = held === undefined ? chunk : concatBytes(held, chunk);
        held = undefined;
        await listenerEnd.write(merged);
      },
      end: () => listenerEnd.end(),
      abort: (error) => listenerEnd.abort(error),
    };
    const dialing = dialerHandshake(dialerEnd, NodeSecret.generate(), PROTOCOL);
    await listenerHandshake(coalescing, NodeSecret.generate(), () => true, 1_000);
    await coalescing.write(new TextEncoder().encode('first bytes'));
    const result = await dialing;
    expect(new TextDecoder().decode(result.leftover)).toBe('first bytes');
  });

  it('protocol names are 1 to 255 bytes of well-formed UTF-8', async () => {
    const network = new MemoryNetwork();
    const listener = await memoryTransport(NodeSecret.generate(), { network }).listen(
      '',
      new Map([[PROTOCOL, () => undefined]]),
    );
    const dialer = memoryTransport(NodeSecret.generate(), { network });
    await expect(dialer.dial(listener.address, '')).rejects.toThrow(RangeError);
    await expect(dialer.dial(listener.address, 'x'.repeat(256))).rejects.toThrow(RangeError);
    await expect(dialer.dial(listener.address, '/lone-\ud800/1')).rejects.toThrow(RangeError);
    await expect(dialer.dial(listener.address, 42 as unknown as string)).rejects.toThrow(TypeError);
    const longest = 'é'.repeat(127); // 254 bytes
    await expect(dialer.dial(listener.address, longest)).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.UNKNOWN_PROTOCOL,
    });
    await listener.close();
  });

  it('a silent listener times the dial out; a silent dialer is dropped by the listener', async () => {
    const [silentListener, silentDialerSide] = createChannelPair();
    const transport = authenticatedTransport(
      {
        connect: async () => silentDialerSide,
        listen: async () => {
          throw new Error('not used');
        },
      },
      NodeSecret.generate(),
    );
    await expect(transport.dial('anywhere', PROTOCOL, { handshakeTimeout: 100 })).rejects.toMatchObject({
      code: SYNC_ERROR_CODES.TIMEOUT,
    });
    await expect(silentListener.read()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_LOST });

    const network = new MemoryNetwork();
    const errors: unknown[] = [];
    const listener = await memoryTransport(NodeSecret.generate(), { network }).listen('', () => undefined, {
      handshakeTimeout: 100,
      onError: (error) => errors.push(error),
    });
    const silentDialer = await network.connect(listener.address);
    await expect(silentDialer.read()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_LOST });
    expect(errors).toMatchObject([{ code: SYNC_ERROR_CODES.TIMEOUT }]);
    await listener.close();
  });

  it('closing a listener aborts the handshakes in progress', async () => {
    const network = new MemoryNetwork();
    const listener = await memoryTransport(NodeSecret.generate(), { network }).listen('', () => undefined);
    const pending = await network.connect(listener.address);
    await listener.close();
    await expect(pending.read()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_LOST });
  });

  it('handlers and timeouts are checked', async () => {
    const transport = memoryTransport(NodeSecret.generate(), { network: new MemoryNetwork() });
    await expect(transport.listen('', 'nope' as never)).rejects.toThrow(TypeError);
    await expect(transport.listen('', () => undefined, { handshakeTimeout: 0 })).rejects.toThrow(RangeError);
    await expect(transport.listen('', () => undefined, { idleTimeout: Number.NaN })).rejects.toThrow(RangeError);
    await expect(transport.dial('x', PROTOCOL, { handshakeTimeout: -1 })).rejects.toThrow(RangeError);
    const { dialer } = await createMemoryPair();
    expect(() => dialer.setIdleTimeout(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    dialer.abort();
  });
});

describe('createMemoryPair', () => {
  it('connects two authenticated streams of the given nodes and protocol', async () => {
    const alice = NodeSecret.generate();
    const bob = NodeSecret.generate();
    const { dialer, listener } = await createMemoryPair({ dialer: alice, listener: bob, protocol: '/test/1' });
    expect(dialer.remotePeer).toEqual(bob.id);
    expect(listener.remotePeer).toEqual(alice.id);
    expect([dialer.protocol, listener.protocol]).toEqual(['/test/1', '/test/1']);
    await dialer.write(Uint8Array.of(1, 2, 3));
    await dialer.end();
    expect([...((await listener.read()) ?? [])]).toEqual([1, 2, 3]);
    expect(await listener.read()).toBeUndefined();
    const defaults = await createMemoryPair();
    expect(defaults.dialer.protocol).toBe(PROTOCOL);
    expect(defaults.dialer.remotePeer.length).toBe(32);
  });
});
