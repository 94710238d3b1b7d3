import { runStoreConformance } from '@docs/store/conformance';
import { MemoryStore } from '@docs/store-memory';

runStoreConformance('memory', { create: () => new MemoryStore() });
