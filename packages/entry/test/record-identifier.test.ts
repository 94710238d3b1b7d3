import { ENTRY_ERROR_CODES, RecordIdentifier, compareRecordIdentifiers } from '@docs/entry';
import { describe, expect, test } from 'vitest';

const id = (fill: number) => new Uint8Array(32).fill(fill);
const text = (value: string) => new TextEncoder().encode(value);

describe('RecordIdentifier', () => {
  test('is namespace ‖ author ‖ key, with views for each part', () => {
    const rid = RecordIdentifier.of(id(1), id(2), text('hi'));
    expect(rid.bytes.length).toBe(66);
    expect(rid.namespace).toEqual(id(1));
    expect(rid.author).toEqual(id(2));
    expect(rid.key).toEqual(text('hi'));
  });

  test('orders as raw bytes: namespace, then author, then key; a key sorts before its extensions', () => {
    const ordered = [
      RecordIdentifier.of(id(1), id(1), text('')),
      RecordIdentifier.of(id(1), id(1), text('hi')),
      RecordIdentifier.of(id(1), id(1), text('hi/moon')),
      RecordIdentifier.of(id(1), id(1), text('hj')),
      RecordIdentifier.of(id(1), id(2), text('a')),
      RecordIdentifier.of(id(2), id(0), text('a')),
    ];
    const shuffled = [...ordered].reverse().sort(compareRecordIdentifiers);
    expect(shuffled.map((r) => r.bytes)).toEqual(ordered.map((r) => r.bytes));
  });

  test('isPrefixOf needs the same namespace and author', () => {
    const foo = RecordIdentifier.of(id(1), id(1), text('foo'));
    expect(foo.isPrefixOf(RecordIdentifier.of(id(1), id(1), text('foobar')))).toBe(true);
    expect(foo.isPrefixOf(RecordIdentifier.of(id(1), id(1), text('foo')))).toBe(true);
    expect(foo.isPrefixOf(RecordIdentifier.of(id(1), id(1), text('fo')))).toBe(false);
    expect(foo.isPrefixOf(RecordIdentifier.of(id(1), id(2), text('foobar')))).toBe(false);
  });

  test('the zero identifier is 64 zero bytes', () => {
    expect(RecordIdentifier.zero().bytes).toEqual(new Uint8Array(64));
  });

  test('fromBytes refuses fewer than 64 bytes and copies', () => {
    expect(() => RecordIdentifier.fromBytes(new Uint8Array(63))).toThrow(
      expect.objectContaining({ code: ENTRY_ERROR_CODES.INVALID_LENGTH }),
    );
    const source = new Uint8Array(65);
    const rid = RecordIdentifier.fromBytes(source);
    source[64] = 9;
    expect(rid.key).toEqual(new Uint8Array(1));
  });

  test('of() refuses ids of the wrong size', () => {
    expect(() => RecordIdentifier.of(new Uint8Array(31), id(1), text('a'))).toThrow(RangeError);
  });
});
