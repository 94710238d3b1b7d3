import { Author, defaultEd25519, type SignatureCheck } from '@docs/crypto';
import { describe, expect, test } from './vitest-shim.js';

/** The name of the suite checking @docs/crypto's key tables in the page. */
export const KEY_TABLES_SUITE = '@docs/crypto key tables in the browser';

/**
 * `verifyMany` of the browser's backend (WebCrypto, or the portable path) with enough signatures under one key
 * for the key to get a table (32): the verdicts of valid signatures, of ones with a changed message, and of another
 * key's signatures presented under it; and that the tables' WebAssembly was compiled in the page.
 */
export function registerKeyTables(): void {
  describe(KEY_TABLES_SUITE, () => {
    test('verifyMany answers like verify once a key has a table (WebAssembly in the page)', async () => {
      const author = Author.fromBytes(new Uint8Array(32).fill(9));
      const other = Author.fromBytes(new Uint8Array(32).fill(10));
      const checks: SignatureCheck[] = [];
      const expected: boolean[] = [];
      for (let index = 0; index < 48; index++) {
        const message = new TextEncoder().encode(`entry ${index}`);
        const signature = await author.sign(message);
        checks.push({ publicKey: author.id, message, signature });
        expected.push(true);
        checks.push({ publicKey: author.id, message: new TextEncoder().encode(`entry ${index}!`), signature });
        expected.push(false);
        if (index % 8 === 0) {
          checks.push({ publicKey: author.id, message, signature: await other.sign(message) });
          expected.push(false);
        }
      }
      const compile = WebAssembly.compile;
      let compiled = 0;
      WebAssembly.compile = (bytes) => (compiled++, compile(bytes));
      const backend = defaultEd25519();
      try {
        expect(await backend.verifyMany(checks)).toEqual(expected);
      } finally {
        WebAssembly.compile = compile;
      }
      expect(compiled).toBe(1);
      // Again, now that the key holds a table from the start.
      expect(await backend.verifyMany(checks)).toEqual(expected);
      const single = await Promise.all(checks.map((check) => backend.verify(check.publicKey, check.message, check.signature)));
      expect(single).toEqual(expected);
    });
  });
}
