import { afterEach, describe, it } from 'vitest';
import { Harness, type TransportConformanceOptions } from './harness.js';
import { TRANSPORT_CASES, type TransportCase } from './transport-cases.js';

function register(testCase: TransportCase, options: TransportConformanceOptions, harness: () => Harness): void {
  const applies = testCase.applies?.(options) ?? true;
  it.skipIf(!applies)(testCase.name, () => testCase.run(harness()));
}

/**
 * Registers the transport conformance suite with vitest: handshake and protocol selection, ordering, large
 * messages, the frame limit, abrupt and half close, backpressure, idle and handshake timeouts, concurrent
 * streams, refused dials and listener shutdown. Every adapter's test calls it.
 *
 * @param name - shown in the suite's title
 */
export function runTransportConformance(name: string, options: TransportConformanceOptions): void {
  describe(`transport conformance: ${name}`, () => {
    let harness = new Harness(options);
    afterEach(async () => {
      await harness.tearDown();
      harness = new Harness(options);
    });
    const groups = new Map<string | undefined, TransportCase[]>();
    for (const testCase of TRANSPORT_CASES) {
      groups.set(testCase.group, [...(groups.get(testCase.group) ?? []), testCase]);
    }
    for (const [group, cases] of groups) {
      if (group === undefined) for (const testCase of cases) register(testCase, options, () => harness);
      else describe(group, () => cases.forEach((testCase) => register(testCase, options, () => harness)));
    }
  });
}
