export { bytesEqual, compareKeys, keyHasPrefix } from './bytes.js';
export { RBSR_ERROR_CODES, RbsrError, type RbsrErrorCode } from './errors.js';
export { FingerprintTree, prefixUpperBound, type FingerprintTreeOptions } from './fingerprint-tree.js';
export { countMessageValues, type Message, type MessagePart } from './message.js';
export { circularSegments, EMPTY_KEY, isWholeRange, rangeContains, type Range } from './range.js';
export type { ItemSummary, RangeStore, SplitPart } from './range-store.js';
export {
  DEFAULT_FRAME_BUDGET,
  Reconciler,
  SYNC_MODES,
  type ReconcileCallbacks,
  type ReconcilerOptions,
  type SplitSettings,
} from './reconciler.js';
export { createPostcardSizeModel, varintLength, type MessageSizeModel } from './size-model.js';
export { splitByIndex, type IndexedItems } from './split-by-index.js';
export type { RangeItemTraits } from './traits.js';
export { TreeRangeStore } from './tree-range-store.js';
