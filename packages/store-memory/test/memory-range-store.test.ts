import { writeCapability } from '@docs/entry';
import { signTestEntry, testAuthor, testNamespace } from '@docs/store/conformance';
import { MemoryStore } from '@docs/store-memory';
import { describe, expect, test } from 'vitest';

describe('MemoryStore ranges', () => {
  test('splitRange answers from the namespace tree (the conformance suite checks what it answers)', async () => {
    const namespace = testNamespace(1);
    const store = new MemoryStore();
    await store.importNamespace(writeCapability(namespace));
    const entries = await Promise.all(Array.from({ length: 12 }, (_, index) => signTestEntry({ namespace, author: testAuthor(1), key: `k${String(index).padStart(2, "0")}`, content: `${index}`, timestamp: 1 })));
    await store.putMany(entries);
    const ids = entries.map((signed) => signed.entry.id.bytes).sort(Buffer.compare);
    const split = await store.ranges(namespace.id).splitRange!({ x: ids[1]!, y: ids[11]! }, 10, 3);
    expect(split?.map(({ count }) => count)).toEqual([3, 3, 4]);
    expect(await store.ranges(namespace.id).splitRange!({ x: ids[1]!, y: ids[11]! }, 9, 3), 'a count that is not the range\'s').toBeUndefined();
    await store.close();
  });
});
