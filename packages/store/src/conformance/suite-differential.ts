import { bytesToHex, concatBytes, type Author, type NamespaceSecret } from '@docs/crypto';
import { writeCapability, type SignedEntry } from '@docs/entry';
import type { Range } from '@docs/rbsr';
import { describe, expect, test } from 'vitest';
import type { Query } from '../query.js';
import type { DocsStore } from '../store.js';
import { expectSameBytes, expectSameEntries, expectSameEntry } from './assertions.js';
import { collect, describeEntry, signTestEntry, testAuthor, testNamespace } from './fixtures.js';
import type { StoreHarness } from './harness.js';
import { StoreModel } from './model.js';
import { SeededRandom } from './seeded-random.js';
import { expectRangeMatchesModel } from './suite-ranges.js';

/** Key bytes: few symbols and short keys, so that prefixes, equal keys and the empty key are frequent. */
const KEY_ALPHABET = [0x00, 0x2f, 0x61, 0xff];

function randomKey(random: SeededRandom): Uint8Array {
  return new Uint8Array(Array.from({ length: random.below(4) }, () => random.pick(KEY_ALPHABET)));
}

/** A random query over every option (kind, order, direction, author, key or prefix, offset, limit, tombstones). */
function randomQuery(random: SeededRandom, authors: readonly Author[]): Query {
  const single = random.chance(0.3);
  const keyFilter = random.next();
  return {
    ...(single ? { kind: 'single-latest-per-key' as const } : random.chance(0.5) ? { kind: 'flat' as const } : {}),
    ...(!single && random.chance(0.6) ? { sortBy: random.pick(['author-key', 'key-author'] as const) } : {}),
    ...(random.chance(0.3) ? { author: random.pick(authors).id } : {}),
    ...(keyFilter < 0.2 ? { key: randomKey(random) } : keyFilter < 0.5 ? { keyPrefix: randomKey(random) } : {}),
    ...(random.chance(0.5) ? { direction: random.pick(['asc', 'desc'] as const) } : {}),
    ...(random.chance(0.2) ? { offset: random.below(5) } : {}),
    ...(random.chance(0.2) ? { limit: random.below(6) } : {}),
    ...(random.chance(0.4) ? { includeEmpty: true } : {}),
  };
}

/** A random range whose bounds are stored ids, ids that may or may not be stored, or bytes outside the namespace. */
function randomRange(random: SeededRandom, model: StoreModel, namespaces: readonly NamespaceSecret[], authors: readonly Author[]): Range {
  const bound = (): Uint8Array => {
    const choice = random.next();
    const stored = model.entries(random.pick(namespaces).id);
    if (choice < 0.4 && stored.length > 0) return random.pick(stored).entry.id.bytes;
    if (choice < 0.8) return concatBytes(random.pick(namespaces).id, random.pick(authors).id, randomKey(random));
    return random.pick([new Uint8Array(), new Uint8Array(64), new Uint8Array(64).fill(0xff), random.pick(namespaces).id]);
  };
  return { x: bound(), y: bound() };
}

const queryLabel = (query: Query): string =>
  JSON.stringify(query, (_, value: unknown) => (value instanceof Uint8Array ? bytesToHex(value) : value));

async function expectQueryMatches(store: DocsStore, model: StoreModel, namespace: Uint8Array, query: Query): Promise<void> {
  expectSameEntries(await collect(store.query(namespace, query)), model.query(namespace, query), `query ${queryLabel(query)}`);
}

/** Compares everything observable about the entries of the store and the model. */
async function expectFullMatch(
  store: DocsStore,
  model: StoreModel,
  namespaces: readonly NamespaceSecret[],
  authors: readonly Author[],
): Promise<void> {
  for (const { id } of namespaces) {
    for (const kind of ['flat', 'single-latest-per-key'] as const) {
      for (const direction of ['asc', 'desc'] as const) {
        for (const includeEmpty of [false, true]) {
          await expectQueryMatches(store, model, id, { kind, direction, includeEmpty });
          if (kind === 'flat') await expectQueryMatches(store, model, id, { kind, direction, includeEmpty, sortBy: 'key-author' });
        }
      }
    }
    for (const author of authors) await expectQueryMatches(store, model, id, { author: author.id, includeEmpty: true });
    const latest = await store.latestPerAuthor(id);
    const expectedLatest = model.latestPerAuthor(id);
    expect(latest.map((head) => [bytesToHex(head.author), head.timestamp, bytesToHex(head.key)])).toEqual(
      expectedLatest.map((head) => [bytesToHex(head.author), head.timestamp, bytesToHex(head.key)]),
    );
    const ranges = store.ranges(id);
    const first = model.firstKey(id);
    if (first !== undefined) {
      expectSameBytes(await ranges.firstKey(), first);
      await expectRangeMatchesModel(ranges, model, id, { x: first, y: first }, false);
    }
  }
  expect((await collect(store.contentHashes())).map(bytesToHex).sort()).toEqual(model.contentHashes().map(bytesToHex).sort());
}

/** A random entry: tombstones, prefixes and equal timestamps are frequent. */
function randomEntry(
  random: SeededRandom,
  namespaces: readonly NamespaceSecret[],
  authors: readonly Author[],
): Promise<SignedEntry> {
  const namespace = random.pick(namespaces);
  const author = random.pick(authors);
  const key = randomKey(random);
  const timestamp = 1 + random.below(30);
  return random.chance(0.2)
    ? signTestEntry({ namespace, author, key, timestamp, empty: true })
    : signTestEntry({ namespace, author, key, timestamp, content: `v${random.below(4)}` });
}

/**
 * One seeded run: random puts and batches of puts (tombstones, prefixes, equal timestamps, several authors and
 * namespaces) compared step by step.
 */
async function runDifferential(harness: StoreHarness, seed: number, steps: number): Promise<void> {
  const random = new SeededRandom(seed);
  const namespaces = [testNamespace(50), testNamespace(51)];
  const authors = [testAuthor(50), testAuthor(51), testAuthor(52)];
  const model = new StoreModel();
  let store = await harness.create();
  for (const secret of namespaces) await store.importNamespace(writeCapability(secret));
  let step = 0;
  let last = 'start';
  try {
    for (; step < steps; step++) {
      if (random.chance(0.01)) {
        const secret = random.pick(namespaces);
        last = `remove namespace ${bytesToHex(secret.id).slice(0, 6)}`;
        expect(await store.removeNamespace(secret.id)).toBe(true);
        model.removeNamespace(secret.id);
        await store.importNamespace(writeCapability(secret));
      } else if (random.chance(0.15)) {
        const batch = await Promise.all(Array.from({ length: 1 + random.below(6) }, () => randomEntry(random, namespaces, authors)));
        last = `putMany ${batch.map(describeEntry).join(', ')}`;
        expect(await store.putMany(batch), 'putMany outcomes').toEqual(batch.map((signed) => model.put(signed)));
      } else {
        const signed = await randomEntry(random, namespaces, authors);
        const { namespace, author, key } = signed.entry.id;
        last = `put ${describeEntry(signed)}`;
        expect(await store.put(signed), 'put outcome').toEqual(model.put(signed));
        for (const includeEmpty of [false, true]) {
          expectSameEntry(
            await store.getExact(namespace, author, key, { includeEmpty }),
            model.getExact(namespace, author, key, includeEmpty),
            `getExact (includeEmpty: ${includeEmpty})`,
          );
        }
        const probe = random.pick(namespaces).id;
        await expectQueryMatches(store, model, probe, randomQuery(random, authors));
        await expectRangeMatchesModel(store.ranges(probe), model, probe, randomRange(random, model, namespaces, authors), false);
      }
      if (step % 25 === 24) await expectFullMatch(store, model, namespaces, authors);
      if (harness.canReopen && step === steps >> 1) {
        last = 'reopen';
        store = await harness.reopen(store);
      }
    }
    last = 'final comparison';
    await expectFullMatch(store, model, namespaces, authors);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`differential test: seed ${seed}, step ${step} (${last}): ${message}`, { cause: error });
  }
}

/** The seeded randomised differential test against {@link StoreModel}; longer with `slow`. */
export function registerDifferentialTests(harness: StoreHarness): void {
  const seeds = harness.slow ? Array.from({ length: 20 }, (_, index) => 1_000 + index) : [1, 2, 3];
  const steps = harness.slow ? 2_000 : 250;
  describe(`randomised differential test against a naive model (${seeds.length} seeds × ${steps} steps)`, () => {
    test.each(seeds)('seed %i', async (seed) => {
      await runDifferential(harness, seed, steps);
    });
  });
}
