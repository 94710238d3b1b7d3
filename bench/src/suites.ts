import { MemoryStore } from '@docs/store-memory';
import { runCryptoBench } from '../../packages/crypto/bench/crypto.bench.ts';
import { runEntryBench } from '../../packages/entry/bench/entry.bench.ts';
import { runSyncBench } from '../../packages/rbsr/bench/sync.bench.ts';
import { runReplicaBench } from '../../packages/replica/bench/replica.bench.ts';
import { runStoreLevelBench } from '../../packages/store-level/bench/store-level.bench.ts';
import { runStoreMemoryBench } from '../../packages/store-memory/bench/store-memory.bench.ts';
import { runSyncTransportBench } from '../../packages/sync-transport/bench/sync.bench.ts';
import { runVerifyPoolBench } from './verify-pool.bench.ts';

/** Rows of one benchmark suite. */
export type Rows = readonly object[];

/** The benchmark suites, in the order they run. */
export type SuiteName = 'crypto' | 'verifyPool' | 'entry' | 'rbsr' | 'storeMemory' | 'storeLevel' | 'replica' | 'syncTransport';

/** Every suite at full size, or at a tiny size (`smoke`) that only proves it still runs. */
export function benchSuites(smoke: boolean): Record<SuiteName, () => Promise<Rows>> {
  return {
    crypto: () => runCryptoBench(smoke ? { runs: 1, runMilliseconds: 30, print: false } : { print: false }),
    verifyPool: () => runVerifyPoolBench(smoke ? { signatures: 200, runs: 1 } : {}),
    entry: () => runEntryBench(smoke ? { entries: 50, runs: 1 } : {}),
    rbsr: () => runSyncBench(smoke ? { n: 5_000, differences: [0, 10], runs: 1 } : {}),
    storeMemory: () =>
      runStoreMemoryBench(smoke ? { entries: 5_000, insertEntries: 200, runs: 1, ranges: 20, print: false } : { print: false }),
    storeLevel: () =>
      runStoreLevelBench({
        ...(smoke ? { sizes: [2_000], runs: 1, ranges: 10 } : {}),
        compareWith: [{ name: '@docs/store-memory', create: () => new MemoryStore() }],
        print: false,
      }),
    replica: () => runReplicaBench(smoke ? { inserts: 100, entries: 2_000, runs: 1, samples: 5 } : {}),
    syncTransport: () =>
      runSyncTransportBench(
        smoke ? { entries: 2_000, differences: 100, runs: 1, initialRuns: 1, signatures: 200 } : {},
      ),
  };
}
