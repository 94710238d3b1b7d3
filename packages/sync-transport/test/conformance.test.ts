// The conformance suite must be able to fail: each deliberately broken transport below fails the cases that
// cover what it breaks, while the same cases pass on the intact memory transport (test/transport-memory).
import {
  MemoryNetwork,
  memoryTransport,
  NodeSecret,
  type ByteStream,
  type NodeIdentity,
  type Transport,
} from '@docs/sync-transport';
import { describe, expect, it } from 'vitest';
import { Harness, type TransportConformanceOptions } from '../src/conformance/harness.js';
import { TRANSPORT_CASES } from '../src/conformance/transport-cases.js';

/** A stream that behaves like `inner` except where `overrides` says. */
function alteredStream(inner: ByteStream, overrides: Partial<ByteStream>): ByteStream {
  return {
    get remotePeer() {
      return inner.remotePeer;
    },
    protocol: inner.protocol,
    read: () => inner.read(),
    write: (chunk) => inner.write(chunk),
    end: () => inner.end(),
    abort: (error) => inner.abort(error),
    setIdleTimeout: (milliseconds) => inner.setIdleTimeout(milliseconds),
    ...overrides,
  };
}

type Breakage = (stream: ByteStream) => ByteStream;

/** A memory transport whose dialed streams (and accepted ones unless `dialedOnly`) are altered by `breakage`. */
function brokenOptions(breakage: Breakage, dialedOnly = false): TransportConformanceOptions {
  const accepted: Breakage = dialedOnly ? (stream) => stream : breakage;
  const network = new MemoryNetwork();
  const create = (identity: NodeIdentity): Transport => {
    const inner = memoryTransport(identity, { network });
    return {
      get localPeer() {
        return inner.localPeer;
      },
      dial: async (address, protocol, options) => breakage(await inner.dial(address, protocol, options)),
      listen: (address, handlers, options) =>
        inner.listen(
          address,
          typeof handlers === 'function'
            ? (stream) => handlers(accepted(stream))
            : new Map([...handlers].map(([name, handler]) => [name, (stream: ByteStream) => handler(accepted(stream))])),
          options,
        ),
    };
  };
  return { createTransport: create, listenAddress: () => '' };
}

async function runCase(name: string, options: TransportConformanceOptions): Promise<void> {
  const testCase = TRANSPORT_CASES.find((candidate) => candidate.name === name);
  if (testCase === undefined) throw new Error(`no conformance case is named ${name}`);
  const harness = new Harness(options);
  try {
    await testCase.run(harness);
  } finally {
    await harness.tearDown();
  }
}

const breakages: { what: string; breakage: Breakage; dialedOnly?: boolean; fails: string[] }[] = [
  {
    what: 'a stream that reports a wrong remote peer',
    breakage: (stream) => alteredStream(stream, { remotePeer: NodeSecret.generate().id }),
    fails: ['each side sees the authenticated id of the other and the protocol'],
  },
  {
    // Only on the dialer: the echo of a listener that swaps too would swap the chunks back.
    what: 'a dialed stream that swaps every two writes',
    dialedOnly: true,
    breakage: (stream) => {
      let held: Uint8Array | undefined;
      return alteredStream(stream, {
        write: async (chunk) => {
          if (held === undefined) {
            held = chunk;
            return;
          }
          const first = held;
          held = undefined;
          await stream.write(chunk);
          await stream.write(first);
        },
        end: async () => {
          if (held !== undefined) await stream.write(held);
          held = undefined;
          await stream.end();
        },
      });
    },
    fails: ['ordering: many writes of many sizes arrive in order, byte for byte, in both directions'],
  },
  {
    what: 'a stream that drops all but the first MiB of a write',
    breakage: (stream) => alteredStream(stream, { write: (chunk) => stream.write(chunk.subarray(0, 1024 * 1024)) }),
    fails: ['large messages: one write of 16 MiB arrives intact, in both directions'],
  },
  {
    what: 'a stream whose writes never wait',
    breakage: (stream) =>
      alteredStream(stream, {
        write: async (chunk) => {
          stream.write(chunk).catch(() => undefined);
        },
      }),
    fails: ['a dialer writing to a listener that does not read stalls after a bounded amount, then resumes'],
  },
  {
    what: 'a stream whose abort is a graceful end',
    breakage: (stream) =>
      alteredStream(stream, {
        abort: () => {
          stream.end().catch(() => undefined);
        },
      }),
    fails: [
      "the listener's abort fails the dialer's pending read and later writes",
      "the dialer's abort fails the listener's pending read",
      'an abort right after a write is never taken for an end of stream, on either side',
    ],
  },
  {
    what: 'a stream whose end closes both directions',
    breakage: (stream) => alteredStream(stream, { end: async () => stream.abort() }),
    fails: [
      'the dialer ends its side and still reads the whole response',
      'the listener ends its side first and still reads what the dialer sends afterwards',
    ],
  },
];

describe('the transport conformance suite catches broken transports', () => {
  for (const { what, breakage, dialedOnly, fails } of breakages) {
    for (const name of fails) {
      it(`${what} fails: ${name}`, async () => {
        await expect(runCase(name, brokenOptions(breakage, dialedOnly))).rejects.toThrow();
      });
    }
  }

  it('every case named above exists and passes on the intact memory transport', async () => {
    const names = new Set(breakages.flatMap(({ fails }) => fails));
    const network = new MemoryNetwork();
    for (const name of names) {
      await runCase(name, { createTransport: (identity) => memoryTransport(identity, { network }), listenAddress: () => '' });
    }
  });
});
