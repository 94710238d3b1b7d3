import { describe, expect, it } from 'vitest';
import { CRYPTO_ERROR_CODES, DocsError, isDocsError } from '../src/index.js';

describe('DocsError', () => {
  it('carries name, code, message and cause', () => {
    const cause = new Error('underlying');
    const error = new DocsError('DOCS_TEST_REASON', 'explained', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('DocsError');
    expect(error.code).toBe('DOCS_TEST_REASON');
    expect(error.message).toBe('explained');
    expect(error.cause).toBe(cause);
    expect(new DocsError('DOCS_TEST_REASON', 'no cause').cause).toBeUndefined();
  });

  it('isDocsError recognises instances and look-alikes from another copy of the package', () => {
    expect(isDocsError(new DocsError('DOCS_TEST_REASON', 'x'))).toBe(true);
    const lookAlike = Object.assign(new Error('x'), { name: 'DocsError', code: 'DOCS_OTHER_COPY' });
    expect(isDocsError(lookAlike)).toBe(true);
    expect(isDocsError({ name: 'DocsError', code: 'DOCS_PLAIN_OBJECT' })).toBe(true);
    expect(isDocsError(Object.assign(new Error('x'), { name: 'DocsError', code: 'E_OTHER' }))).toBe(false);
    expect(isDocsError(Object.assign(new Error('x'), { code: 'DOCS_NO_NAME' }))).toBe(false);
    expect(isDocsError(new TypeError('x'))).toBe(false);
    expect(isDocsError(null)).toBe(false);
    expect(isDocsError('DocsError')).toBe(false);
  });

  it('lists every crypto code in the DOCS_CRYPTO_ namespace, each once', () => {
    const codes = Object.values(CRYPTO_ERROR_CODES);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^DOCS_CRYPTO_[A-Z0-9_]+$/);
  });
});
