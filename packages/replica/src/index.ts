export * from './content-status.js';
export * from './docs.js';
export * from './entry-reconciler.js';
export * from './errors.js';
export * from './event-stream.js';
export type { LocalInsertEvent, RemoteInsertEvent, ReplicaEvent, ReplicaEventListener } from './events.js';
export * from './heads.js';
export * from './replica.js';
export * from './sync-outcome.js';
