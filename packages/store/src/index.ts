export * from './blob-store.js';
export * from './download-policy.js';
export * from './errors.js';
export * from './insert-rule.js';
export * from './namespace-range.js';
export * from './query.js';
export * from './store.js';
