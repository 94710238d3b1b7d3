import { afterEach, describe } from 'vitest';
import { StoreHarness, type StoreConformanceOptions } from './harness.js';
import { registerBlobTests } from './suite-blobs.js';
import { registerDifferentialTests } from './suite-differential.js';
import { registerEntryTests } from './suite-entries.js';
import { registerLifecycleTests } from './suite-lifecycle.js';
import { registerNamespaceTests } from './suite-namespaces.js';
import { registerQueryTests } from './suite-queries.js';
import { registerRangeTests } from './suite-ranges.js';

/**
 * Registers the `DocsStore` conformance suite with vitest (call it at the top level of a test file). Every store
 * the suite creates is closed after its test. Persistence tests run when `reopen` is given; the long randomised
 * runs when `slow` is set (default: `SLOW=1`).
 *
 * @example
 * runStoreConformance('memory', { create: () => new MemoryStore() });
 */
export function runStoreConformance(name: string, options: StoreConformanceOptions): void {
  const harness = new StoreHarness(options);
  describe(`${name}: DocsStore conformance`, () => {
    afterEach(() => harness.closeAll());
    registerEntryTests(harness);
    registerQueryTests(harness);
    registerNamespaceTests(harness);
    registerRangeTests(harness);
    registerBlobTests(harness);
    registerLifecycleTests(harness);
    registerDifferentialTests(harness);
  });
}
