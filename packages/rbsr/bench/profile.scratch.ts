import { runSyncBench } from './sync.bench.js';
await runSyncBench({ n: 1_000_000, differences: [1000], modes: ['tuned'], budgets: [Infinity], runs: 1 });
