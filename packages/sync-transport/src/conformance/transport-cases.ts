import { equalBytes } from '@docs/crypto';
import { expect } from 'vitest';
import { SYNC_ERROR_CODES } from '../errors.js';
import { encodeFrame, FrameDecoder } from '../frame.js';
import type { ByteStream } from '../transport/byte-stream.js';
import { NodeSecret } from '../transport/node-key.js';
import type { StreamHandler } from '../transport/transport.js';
import { capture, codeOf, type Harness, type TransportConformanceOptions } from './harness.js';
import {
  deferred,
  echo,
  eventually,
  integers,
  patternBytes,
  readAll,
  readBytes,
  sleep,
  staysPending,
  within,
} from './stream-helpers.js';

/** One case of the transport conformance suite. */
export interface TransportCase {
  /** The describe block it belongs to, if any. */
  readonly group?: string;
  readonly name: string;
  /** Whether the case applies to the adapter (default: always). */
  readonly applies?: (options: TransportConformanceOptions) => boolean;
  /** Runs the case; throws (an assertion error) when the transport fails it. */
  readonly run: (harness: Harness) => Promise<void>;
}

const PROTOCOL = '/iroh-sync/1';
const OTHER_PROTOCOL = '/docs-test/other/1';
const MiB = 1024 * 1024;
/** Bound for "no hang": every wait for a remote's reaction must settle within this. */
const SETTLE_MS = 10_000;
const SLOW = typeof process !== 'undefined' && process.env['SLOW'] === '1';

const BACKPRESSURE_CHUNK = 64 * 1024;
/** More than any adapter may accept while its peer reads nothing (kernel buffers on loopback included). */
const BACKPRESSURE_BOUND = 64 * MiB;

/** Writes numbered chunks until a write stays pending; returns how many were accepted and the pending write. */
async function writeUntilStalled(stream: ByteStream): Promise<{ accepted: number; stalled: Promise<void> }> {
  for (let index = 0; index * BACKPRESSURE_CHUNK < BACKPRESSURE_BOUND; index += 1) {
    const write = stream.write(new Uint8Array(BACKPRESSURE_CHUNK).fill(index & 0xff));
    if (await staysPending(write, 300)) return { accepted: index, stalled: write };
  }
  throw new Error(`${BACKPRESSURE_BOUND} bytes were accepted while the peer read nothing`);
}

/** Reads `count` numbered chunks and checks that each holds its own number. */
async function expectNumberedChunks(stream: ByteStream, count: number): Promise<void> {
  const received = await within(readBytes(stream, count * BACKPRESSURE_CHUNK), SETTLE_MS * 3, 'reading the backlog');
  expect(received.length).toBe(count * BACKPRESSURE_CHUNK);
  for (let index = 0; index < count; index += 1) {
    const chunk = received.subarray(index * BACKPRESSURE_CHUNK, (index + 1) * BACKPRESSURE_CHUNK);
    if (!chunk.every((byte) => byte === (index & 0xff))) expect.fail(`chunk ${index} is out of order`);
  }
}

/** The cases of the transport conformance suite, in order. */
export const TRANSPORT_CASES: readonly TransportCase[] = [
  {
    group: 'handshake',
    name: 'each side sees the authenticated id of the other and the protocol',
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(new Map([[PROTOCOL, accepted.handler]]));
      const alice = NodeSecret.generate();
      const dialer = harness.dialer(alice);
      expect(equalBytes(dialer.localPeer, alice.id)).toBe(true);
      expect(equalBytes(bob.transport.localPeer, bob.identity.id)).toBe(true);

      const stream = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      const remote = await within(accepted.stream.promise, SETTLE_MS, 'the handler');
      expect(equalBytes(stream.remotePeer, bob.identity.id)).toBe(true);
      expect(equalBytes(remote.remotePeer, alice.id)).toBe(true);
      expect(stream.protocol).toBe(PROTOCOL);
      expect(remote.protocol).toBe(PROTOCOL);

      await stream.write(new TextEncoder().encode('ping'));
      await stream.end();
      expect(new TextDecoder().decode(await readAll(remote))).toBe('ping');
      await remote.write(new TextEncoder().encode('pong'));
      await remote.end();
      expect(new TextDecoder().decode(await readAll(stream))).toBe('pong');
    },
  },
  {
    group: 'handshake',
    name: 'one listener serves several protocols, each stream going to its own handler',
    run: async (harness) => {
      const reply =
        (text: string): StreamHandler =>
        async (stream) => {
          await stream.write(new TextEncoder().encode(text));
          await stream.end();
        };
      const bob = await harness.listener(
        new Map([
          [PROTOCOL, reply('sync')],
          [OTHER_PROTOCOL, reply('other')],
        ]),
      );
      const dialer = harness.dialer();
      const [sync, other] = await Promise.all([
        dialer.dial(bob.listener.address, PROTOCOL),
        dialer.dial(bob.listener.address, OTHER_PROTOCOL),
      ]);
      harness.track(sync);
      harness.track(other);
      expect(new TextDecoder().decode(await readAll(other))).toBe('other');
      expect(new TextDecoder().decode(await readAll(sync))).toBe('sync');
      expect(other.protocol).toBe(OTHER_PROTOCOL);
    },
  },
  {
    group: 'handshake',
    name: 'a dial for a protocol without handler fails with DOCS_SYNC_UNKNOWN_PROTOCOL; the listener serves on',
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(new Map([[PROTOCOL, accepted.handler]]));
      const dialer = harness.dialer();
      await expect(dialer.dial(bob.listener.address, OTHER_PROTOCOL)).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.UNKNOWN_PROTOCOL,
      });
      expect(bob.errors.map(codeOf)).toEqual([SYNC_ERROR_CODES.UNKNOWN_PROTOCOL]);
      const stream = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      expect((await within(accepted.stream.promise, SETTLE_MS, 'the handler')).protocol).toBe(PROTOCOL);
      expect(equalBytes(stream.remotePeer, bob.identity.id)).toBe(true);
    },
  },
  {
    group: 'handshake',
    name: 'a dialer whose signature does not prove its claimed id is refused; the listener serves on',
    run: async (harness) => {
      let handled = 0;
      const bob = await harness.listener(() => {
        handled += 1;
      });
      const victim = NodeSecret.generate();
      const mallory = NodeSecret.generate();
      const impostor = harness.dialer({ id: victim.id, sign: (message) => mallory.sign(message) });
      await expect(impostor.dial(bob.listener.address, PROTOCOL)).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.HANDSHAKE_FAILED,
      });
      const garbage = harness.dialer({ id: victim.id, sign: async () => new Uint8Array(64).fill(7) });
      await expect(garbage.dial(bob.listener.address, PROTOCOL)).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.HANDSHAKE_FAILED,
      });
      expect(bob.errors.map(codeOf)).toEqual([SYNC_ERROR_CODES.HANDSHAKE_FAILED, SYNC_ERROR_CODES.HANDSHAKE_FAILED]);
      expect(handled).toBe(0);
      harness.track(await harness.dialer(victim).dial(bob.listener.address, PROTOCOL));
      await eventually(() => handled === 1, SETTLE_MS, 'the honest stream reaching its handler');
    },
  },
  {
    group: 'handshake',
    name: 'a listener whose signature does not prove its claimed id is refused by the dialer',
    run: async (harness) => {
      const claimed = NodeSecret.generate();
      const mallory = NodeSecret.generate();
      const fake = await harness.listener(() => undefined, {}, {
        id: claimed.id,
        sign: (message) => mallory.sign(message),
      });
      await expect(harness.dialer().dial(fake.listener.address, PROTOCOL)).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.HANDSHAKE_FAILED,
      });
    },
  },
  {
    group: 'handshake',
    name: 'a dialer that expects another node id refuses the listener',
    run: async (harness) => {
      const bob = await harness.listener(() => undefined);
      const dialer = harness.dialer();
      await expect(
        dialer.dial(bob.listener.address, PROTOCOL, { expectedPeer: NodeSecret.generate().id }),
      ).rejects.toMatchObject({ code: SYNC_ERROR_CODES.HANDSHAKE_FAILED });
      const stream = harness.track(
        await dialer.dial(bob.listener.address, PROTOCOL, { expectedPeer: bob.identity.id }),
      );
      expect(equalBytes(stream.remotePeer, bob.identity.id)).toBe(true);
    },
  },
  {
    group: 'handshake',
    name: 'a handshake that stalls is dropped by the listener (DOCS_SYNC_TIMEOUT) and times out the dial',
    run: async (harness) => {
      const bob = await harness.listener(() => undefined, { handshakeTimeout: 200 });
      const stalled = harness.dialer({ id: NodeSecret.generate().id, sign: () => new Promise(() => undefined) });
      const started = performance.now();
      await expect(
        within(stalled.dial(bob.listener.address, PROTOCOL, { handshakeTimeout: 1_000 }), SETTLE_MS, 'dial'),
      ).rejects.toMatchObject({ code: SYNC_ERROR_CODES.TIMEOUT });
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
      expect(bob.errors.map(codeOf)).toEqual([SYNC_ERROR_CODES.TIMEOUT]);
    },
  },
  {
    name: 'ordering: many writes of many sizes arrive in order, byte for byte, in both directions',
    run: async (harness) => {
      const bob = await harness.listener((stream) => echo(stream));
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const size = integers(0x5eed, 1, 70_000);
      const chunks = Array.from({ length: SLOW ? 2_000 : 300 }, (_, index) => patternBytes(index + 1, size()));
      const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
      const echoed = readBytes(stream, total + 1);
      for (const chunk of chunks) await stream.write(chunk);
      await stream.end();
      const received = await within(echoed, SETTLE_MS * 3, 'the echo');
      expect(received.length).toBe(total);
      let offset = 0;
      for (const [index, chunk] of chunks.entries()) {
        if (!equalBytes(received.subarray(offset, offset + chunk.length), chunk)) {
          expect.fail(`chunk ${index} (${chunk.length} bytes at offset ${offset}) differs`);
        }
        offset += chunk.length;
      }
    },
  },
  {
    name: `large messages: one write of ${SLOW ? 64 : 16} MiB arrives intact, in both directions`,
    run: async (harness) => {
      const size = (SLOW ? 64 : 16) * MiB;
      const request = patternBytes(0xb16, size);
      const response = patternBytes(0xb17, size);
      const received = deferred<boolean>();
      const bob = await harness.listener(async (stream) => {
        received.resolve(equalBytes(await readAll(stream), request));
        await stream.write(response);
        await stream.end();
      });
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      await stream.write(request);
      await stream.end();
      expect(await within(received.promise, SETTLE_MS * 3, 'the listener reading the request')).toBe(true);
      expect(equalBytes(await within(readAll(stream), SETTLE_MS * 3, 'reading the response'), response)).toBe(true);
    },
  },
  {
    name: 'frame limit: an oversized frame is refused before its payload is buffered; the listener serves others',
    run: async (harness) => {
      const limit = 64 * 1024;
      const refusals: { code: string | undefined; buffered: number }[] = [];
      const bob = await harness.listener(async (stream) => {
        const decoder = new FrameDecoder(limit);
        for (let chunk = await stream.read(); chunk !== undefined; chunk = await stream.read()) {
          let frames: Uint8Array[];
          try {
            frames = decoder.push(chunk);
          } catch (error) {
            refusals.push({ code: codeOf(error), buffered: decoder.buffered });
            stream.abort(error);
            return;
          }
          for (const frame of frames) await stream.write(encodeFrame(frame, limit));
        }
        decoder.end();
        await stream.end();
      });
      const dialer = harness.dialer();

      const hostile = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, 1024 * MiB);
      let sent = 0;
      const filler = new Uint8Array(64 * 1024).fill(0xaa);
      const flood = async (): Promise<void> => {
        await hostile.write(header);
        // The rest of the announced GiB: the listener must stop taking it long before the end.
        while (sent < 256 * MiB) {
          await hostile.write(filler);
          sent += filler.length;
        }
      };
      await expect(within(flood(), SETTLE_MS * 3, 'the flood')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
      expect(sent).toBeLessThan(256 * MiB);
      await expect(within(hostile.read(), SETTLE_MS, 'the hostile read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
      expect(refusals).toEqual([{ code: SYNC_ERROR_CODES.FRAME_TOO_LARGE, buffered: 0 }]);

      const honest = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      const messages = [patternBytes(1, 10), patternBytes(2, limit), new Uint8Array(0)];
      for (const message of messages) await honest.write(encodeFrame(message, limit));
      await honest.end();
      const decoder = new FrameDecoder(limit);
      const echoed = decoder.push(await within(readAll(honest), SETTLE_MS, 'the honest echo'));
      decoder.end();
      expect(echoed.length).toBe(messages.length);
      messages.forEach((message, index) => expect(equalBytes(echoed[index]!, message)).toBe(true));
    },
  },
  {
    group: 'abrupt close',
    name: "the listener's abort fails the dialer's pending read and later writes",
    run: async (harness) => {
      const bob = await harness.listener(async (stream) => {
        await stream.read();
        stream.abort();
      });
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const pendingRead = stream.read();
      await stream.write(new Uint8Array([1, 2, 3]));
      await expect(within(pendingRead, SETTLE_MS, 'the read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
      const writeUntilFailure = async (): Promise<void> => {
        for (;;) await stream.write(patternBytes(9, 1024));
      };
      await expect(within(writeUntilFailure(), SETTLE_MS, 'the writes')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
    },
  },
  {
    group: 'abrupt close',
    name: "the dialer's abort fails the listener's pending read",
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(accepted.handler);
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const remote = await within(accepted.stream.promise, SETTLE_MS, 'the handler');
      const pendingRead = remote.read();
      stream.abort();
      await expect(within(pendingRead, SETTLE_MS, 'the read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
    },
  },
  {
    group: 'abrupt close',
    name: 'an abort right after a write is never taken for an end of stream, on either side',
    run: async (harness) => {
      const outcome = async (stream: ByteStream): Promise<string> => {
        try {
          await readAll(stream);
          return 'ended';
        } catch (error) {
          return codeOf(error) ?? String(error);
        }
      };
      const rounds = 5;
      const lost = Array.from({ length: rounds }, () => SYNC_ERROR_CODES.CONNECTION_LOST);
      const dialer = harness.dialer();

      const bob = await harness.listener(async (stream) => {
        await stream.read();
        await stream.write(patternBytes(3, 1000));
        stream.abort();
      });
      const dialerOutcomes: Promise<string>[] = [];
      for (let round = 0; round < rounds; round += 1) {
        const stream = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
        await stream.write(Uint8Array.of(round));
        dialerOutcomes.push(within(outcome(stream), SETTLE_MS, 'the read'));
      }
      expect(await Promise.all(dialerOutcomes)).toEqual(lost);

      const listenerOutcomes: Promise<string>[] = [];
      const carol = await harness.listener((stream) => {
        listenerOutcomes.push(within(outcome(stream), SETTLE_MS, 'the read'));
      });
      for (let round = 0; round < rounds; round += 1) {
        const stream = await dialer.dial(carol.listener.address, PROTOCOL);
        await stream.write(patternBytes(round, 1000));
        stream.abort();
      }
      await eventually(() => listenerOutcomes.length === rounds, SETTLE_MS, 'every stream reaching its handler');
      expect(await Promise.all(listenerOutcomes)).toEqual(lost);
    },
  },
  {
    group: 'abrupt close',
    name: 'after abort(error) the aborting side rejects with that error; without one with DOCS_SYNC_CONNECTION_CLOSED',
    run: async (harness) => {
      const bob = await harness.listener(() => undefined);
      const dialer = harness.dialer();
      const first = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      const pendingRead = first.read();
      const reason = new Error('stop');
      first.abort(reason);
      await expect(pendingRead).rejects.toBe(reason);
      await expect(first.write(new Uint8Array([1]))).rejects.toBe(reason);
      await expect(first.end()).rejects.toBe(reason);

      const second = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      second.abort();
      await expect(second.read()).rejects.toMatchObject({ code: SYNC_ERROR_CODES.CONNECTION_CLOSED });
    },
  },
  {
    group: 'abrupt close',
    name: 'a handler that throws aborts its stream; the listener serves on',
    run: async (harness) => {
      const failure = new Error('handler failed');
      let calls = 0;
      const bob = await harness.listener(async (stream) => {
        calls += 1;
        if (calls === 1) throw failure;
        await echo(stream);
      });
      const dialer = harness.dialer();
      const first = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      await expect(within(first.read(), SETTLE_MS, 'the read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
      expect(bob.errors).toEqual([failure]);
      const second = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      await second.write(new Uint8Array([4, 2]));
      await second.end();
      expect([...(await within(readAll(second), SETTLE_MS, 'the echo'))]).toEqual([4, 2]);
    },
  },
  {
    group: 'half close',
    name: 'the dialer ends its side and still reads the whole response',
    run: async (harness) => {
      const bob = await harness.listener(async (stream) => {
        const request = await readAll(stream);
        for (let part = 0; part < 4; part += 1) {
          await sleep(5);
          await stream.write(request);
        }
        await stream.end();
      });
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const request = patternBytes(42, 1000);
      await stream.write(request);
      await stream.end();
      await expect(stream.write(new Uint8Array([1]))).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_CLOSED,
      });
      const response = await within(readAll(stream), SETTLE_MS, 'the response');
      expect(response.length).toBe(4000);
      for (let part = 0; part < 4; part += 1) {
        expect(equalBytes(response.subarray(part * 1000, (part + 1) * 1000), request)).toBe(true);
      }
      expect(await stream.read()).toBeUndefined();
    },
  },
  {
    group: 'half close',
    name: 'the listener ends its side first and still reads what the dialer sends afterwards',
    run: async (harness) => {
      const heard = deferred<Uint8Array>();
      const bob = await harness.listener(async (stream) => {
        await stream.write(new TextEncoder().encode('hello'));
        await stream.end();
        heard.resolve(await readAll(stream));
      });
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      expect(new TextDecoder().decode(await within(readAll(stream), SETTLE_MS, 'the greeting'))).toBe('hello');
      const reply = patternBytes(7, 300_000);
      await stream.write(reply);
      await stream.end();
      expect(equalBytes(await within(heard.promise, SETTLE_MS, 'the reply'), reply)).toBe(true);
    },
  },
  {
    group: 'backpressure',
    name: 'a dialer writing to a listener that does not read stalls after a bounded amount, then resumes',
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(accepted.handler);
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const remote = await within(accepted.stream.promise, SETTLE_MS, 'the handler');
      const { accepted: count, stalled } = await writeUntilStalled(stream);
      const reading = expectNumberedChunks(remote, count + 1);
      await within(stalled, SETTLE_MS, 'the stalled write');
      await reading;
    },
  },
  {
    group: 'backpressure',
    name: 'a listener writing to a dialer that does not read stalls after a bounded amount, then resumes',
    applies: (options) => options.dialerPausesReading !== false,
    run: async (harness) => {
      const written = deferred<{ accepted: number; stalled: Promise<void> }>();
      const bob = await harness.listener((stream) => {
        writeUntilStalled(stream).then(written.resolve, written.reject);
      });
      const stream = harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const { accepted: count, stalled } = await within(written.promise, SETTLE_MS * 6, 'the listener stalling');
      const reading = expectNumberedChunks(stream, count + 1);
      await within(stalled, SETTLE_MS, 'the stalled write');
      await reading;
    },
  },
  {
    group: 'idle timeout',
    name: "a dialed stream without traffic is aborted with DOCS_SYNC_TIMEOUT; the listener's side sees the loss",
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(accepted.handler);
      const stream = harness.track(
        await harness.dialer().dial(bob.listener.address, PROTOCOL, { idleTimeout: 200 }),
      );
      const remote = await within(accepted.stream.promise, SETTLE_MS, 'the handler');
      const remoteRead = remote.read();
      await expect(within(stream.read(), SETTLE_MS, 'the idle read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.TIMEOUT,
      });
      await expect(within(remoteRead, SETTLE_MS, 'the remote read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_LOST,
      });
    },
  },
  {
    group: 'idle timeout',
    name: 'an accepted stream without traffic times out by the listen option',
    run: async (harness) => {
      const accepted = capture();
      const bob = await harness.listener(accepted.handler, { idleTimeout: 200 });
      harness.track(await harness.dialer().dial(bob.listener.address, PROTOCOL));
      const remote = await within(accepted.stream.promise, SETTLE_MS, 'the handler');
      await expect(within(remote.read(), SETTLE_MS, 'the idle read')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.TIMEOUT,
      });
    },
  },
  {
    group: 'idle timeout',
    name: 'traffic keeps a stream alive past its idle timeout; setIdleTimeout(undefined) turns it off',
    run: async (harness) => {
      const bob = await harness.listener((stream) => echo(stream));
      const stream = harness.track(
        await harness.dialer().dial(bob.listener.address, PROTOCOL, { idleTimeout: 1_000 }),
      );
      const ticks = 30; // 50 ms apart: 1.5 s of traffic
      const echoed = readBytes(stream, ticks);
      for (let tick = 0; tick < ticks; tick += 1) {
        await stream.write(Uint8Array.of(tick));
        await sleep(50);
      }
      expect([...(await within(echoed, SETTLE_MS, 'the echo'))]).toEqual(Array.from({ length: ticks }, (_, i) => i));
      stream.setIdleTimeout(undefined);
      await sleep(1_200);
      await stream.end();
      expect(await within(stream.read(), SETTLE_MS, 'the end')).toBeUndefined();
    },
  },
  {
    name: 'concurrent streams: many dials at once each get their own stream and bytes',
    run: async (harness) => {
      const bob = await harness.listener((stream) => echo(stream));
      const count = 16;
      const dialers = Array.from({ length: count }, () => NodeSecret.generate());
      await Promise.all(
        dialers.map(async (identity, index) => {
          const stream = harness.track(await harness.dialer(identity).dial(bob.listener.address, PROTOCOL));
          expect(equalBytes(stream.remotePeer, bob.identity.id)).toBe(true);
          const payload = patternBytes(1000 + index, 50_000 + index * 1000);
          const echoed = readAll(stream);
          await stream.write(payload);
          await stream.end();
          expect(equalBytes(await within(echoed, SETTLE_MS * 3, `echo ${index}`), payload)).toBe(true);
        }),
      );
    },
  },
  {
    name: 'dialing where nobody listens fails with DOCS_SYNC_CONNECTION_FAILED',
    run: async (harness) => {
      const bob = await harness.listener(() => undefined);
      const address = bob.listener.address;
      await bob.listener.close();
      await expect(within(harness.dialer().dial(address, PROTOCOL), SETTLE_MS, 'dial')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_FAILED,
      });
    },
  },
  {
    name: 'closing a listener refuses new dials and leaves open streams working',
    run: async (harness) => {
      const bob = await harness.listener((stream) => echo(stream));
      const dialer = harness.dialer();
      const stream = harness.track(await dialer.dial(bob.listener.address, PROTOCOL));
      await bob.listener.close();
      await expect(within(dialer.dial(bob.listener.address, PROTOCOL), SETTLE_MS, 'dial')).rejects.toMatchObject({
        code: SYNC_ERROR_CODES.CONNECTION_FAILED,
      });
      await stream.write(new Uint8Array([9, 9]));
      await stream.end();
      expect([...(await within(readAll(stream), SETTLE_MS, 'the echo'))]).toEqual([9, 9]);
    },
  },
];
