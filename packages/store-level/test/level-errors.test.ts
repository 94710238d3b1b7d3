import { STORE_ERROR_CODES, StoreError } from '@docs/store';
import { describe, expect, test } from 'vitest';
import { toStoreError } from '../src/level-errors.js';

const levelError = (code: string, cause?: unknown): Error => Object.assign(new Error(code.toLowerCase(), { cause }), { code });

describe('toStoreError', () => {
  test.each([
    ['a held lock (classic-level: NOT_OPEN caused by LOCKED)', levelError('LEVEL_DATABASE_NOT_OPEN', levelError('LEVEL_LOCKED')), STORE_ERROR_CODES.LOCKED],
    ['corruption', levelError('LEVEL_CORRUPTION'), STORE_ERROR_CODES.CORRUPTED],
    ['corruption found while opening', levelError('LEVEL_DATABASE_NOT_OPEN', levelError('LEVEL_CORRUPTION')), STORE_ERROR_CODES.CORRUPTED],
    ['a closed database', levelError('LEVEL_DATABASE_NOT_OPEN'), STORE_ERROR_CODES.CLOSED],
    ['a closed iterator', levelError('LEVEL_ITERATOR_NOT_OPEN'), STORE_ERROR_CODES.CLOSED],
    ['an I/O error', levelError('LEVEL_IO_ERROR'), STORE_ERROR_CODES.IO],
    ['an unknown failure', new Error('disk on fire'), STORE_ERROR_CODES.IO],
    ['something thrown that is not an error', 'a string', STORE_ERROR_CODES.IO],
  ])('%s', (_, error, code) => {
    const mapped = toStoreError(error, 'testing');
    expect(mapped).toBeInstanceOf(StoreError);
    expect(mapped.code).toBe(code);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toMatch(/^testing: /);
  });

  test('a StoreError passes through unchanged', () => {
    const original = new StoreError(STORE_ERROR_CODES.CONTENT_MISMATCH, 'mismatch');
    expect(toStoreError(original, 'testing')).toBe(original);
  });
});
