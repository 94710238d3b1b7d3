import {
  createPostcardSizeModel,
  FingerprintTree,
  Reconciler,
  TreeRangeStore,
  type Message,
  type MessageSizeModel,
  type RangeStore,
  type ReconcilerOptions,
} from '@docs/rbsr';
import { putWithPrefixRule, SortedArrayStore, SummarizingStore } from './sorted-array-store.js';
import { EMPTY_FINGERPRINT, testTraits, type TestItem } from './test-items.js';

/** The status the test peers attach to each value (the reference's tests always send Complete). */
export type TestStatus = 'complete';

/** Which RangeStore implementation a test peer uses ('summaries': the array store with `summaries` and `item`). */
export type StoreKind = 'array' | 'tree' | 'summaries';

/** One side of a test exchange. */
export interface TestPeer {
  readonly store: RangeStore<TestItem>;
  readonly reconciler: Reconciler<TestItem, TestStatus>;
  /** The peer's items in key order. */
  all(): TestItem[];
  /** Applies the reference insert rule; whether the item was inserted. */
  put(item: TestItem): boolean;
  /** Every item the validate callback saw, in order. */
  readonly validated: TestItem[];
  /** Every item that was inserted from the other side, in order. */
  readonly inserted: TestItem[];
  /** What validate answers. */
  accept: (item: TestItem) => boolean;
}

/** Options of a test peer: the reconciler's, without the empty fingerprint. */
export type TestPeerOptions = Omit<ReconcilerOptions<TestItem, TestStatus>, 'emptyFingerprint'>;

/** Size model the test peers use, exported so tests can measure messages. */
export const testSizeModel = createPostcardSizeModel<TestItem, TestStatus>((entry) => testTraits.encodedSize!(entry));

/** A peer holding `initial` (inserted with the reference insert rule, in order). */
export function createPeer(initial: readonly TestItem[], options: TestPeerOptions = {}, kind: StoreKind = 'array'): TestPeer {
  let store: RangeStore<TestItem>;
  let all: () => TestItem[];
  let put: (entry: TestItem) => boolean;
  if (kind === 'array' || kind === 'summaries') {
    const arrayStore = kind === 'array' ? new SortedArrayStore(testTraits, EMPTY_FINGERPRINT) : new SummarizingStore(testTraits, EMPTY_FINGERPRINT);
    store = arrayStore;
    all = () => arrayStore.all();
    put = (entry) => putWithPrefixRule(arrayStore, testTraits, entry);
  } else {
    const tree = new FingerprintTree<TestItem>(testTraits);
    store = new TreeRangeStore(tree, EMPTY_FINGERPRINT);
    all = () => [...tree];
    put = (entry) => putWithPrefixRuleOnTree(tree, entry);
  }
  for (const entry of initial) put(entry);
  const reconciler = new Reconciler<TestItem, TestStatus>(store, testTraits, {
    emptyFingerprint: EMPTY_FINGERPRINT,
    sizeModel: testSizeModel,
    ...options,
  });
  return { store, reconciler, all, put, validated: [], inserted: [], accept: () => true };
}

/** The reference insert rule on the tree, through its O(log n) prefix helpers. */
export function putWithPrefixRuleOnTree(tree: FingerprintTree<TestItem>, entry: TestItem): boolean {
  for (const parent of tree.prefixesOf(entry.key)) {
    if (testTraits.compareValues(entry, parent) <= 0) return false;
  }
  for (const child of [...tree.prefixed(entry.key)]) {
    if (testTraits.compareValues(entry, child) >= 0) tree.delete(child.key);
  }
  tree.set(entry);
  return true;
}

/** The messages of one exchange. */
export interface Exchange {
  readonly aliceToBob: Array<Message<TestItem, TestStatus>>;
  readonly bobToAlice: Array<Message<TestItem, TestStatus>>;
}

/** Lets `peer` process `message` with callbacks that record what they see. */
export function process(peer: TestPeer, message: Message<TestItem, TestStatus>): Promise<Message<TestItem, TestStatus> | undefined> {
  return peer.reconciler.processMessage(message, {
    receive: (items) => {
      for (const [entry] of items) {
        peer.validated.push(entry);
        if (peer.accept(entry) && peer.put(entry)) peer.inserted.push(entry);
      }
    },
    contentStatus: () => 'complete',
  });
}

/**
 * Runs an exchange the way the reference's tests do: Alice sends her initial message, then the
 * peers answer each other until one has nothing to send. Throws after `maxMessages` messages.
 */
export async function runExchange(alice: TestPeer, bob: TestPeer, maxMessages = 200): Promise<Exchange> {
  const aliceToBob: Array<Message<TestItem, TestStatus>> = [];
  const bobToAlice: Array<Message<TestItem, TestStatus>> = [];
  let next: Message<TestItem, TestStatus> | undefined = await alice.reconciler.initialMessage();
  while (next !== undefined) {
    if (aliceToBob.length + bobToAlice.length >= maxMessages) {
      throw new Error(`the exchange did not end within ${maxMessages} messages`);
    }
    aliceToBob.push(next);
    const reply = await process(bob, next);
    if (reply === undefined) break;
    bobToAlice.push(reply);
    next = await process(alice, reply);
  }
  return { aliceToBob, bobToAlice };
}

/** The encoded size of a message under a size model (default the test size model). */
export function messageSize(message: Message<TestItem, TestStatus>, sizes: MessageSizeModel<TestItem, TestStatus> = testSizeModel): number {
  let total = sizes.messageOverhead;
  for (const part of message.parts) {
    if (part.kind === 'fingerprint') {
      total += sizes.fingerprintPart(part.range);
    } else {
      total += sizes.itemsPart(part.range, part.values.length);
      for (const [entry, status] of part.values) total += sizes.value(entry, status);
    }
  }
  return total;
}

/** The state both sides must reach: every item of Alice, then of Bob, put into one set with the reference rule. */
export function expectedMerge(alice: readonly TestItem[], bob: readonly TestItem[]): TestItem[] {
  const merged = new SortedArrayStore(testTraits, EMPTY_FINGERPRINT);
  for (const entry of [...alice, ...bob]) putWithPrefixRule(merged, testTraits, entry);
  return merged.all();
}
