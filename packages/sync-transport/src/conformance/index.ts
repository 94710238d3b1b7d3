export type { TransportConformanceOptions } from './harness.js';
export { runTransportConformance } from './transport-conformance.js';
