import { Author, NamespaceSecret } from '@docs/crypto';
import {
  EMPTY_HASH,
  ENTRY_ERROR_CODES,
  MAX_TIMESTAMP_FUTURE_SHIFT,
  VALIDATION_FAILURE,
  RecordIdentifier,
  createRecord,
  readCapability,
  signEntry,
  signNewEntry,
  validateEntries,
  validateEntry,
  verifySignedEntries,
  writeCapability,
  type SignedEntry,
} from '@docs/entry';
import { describe, expect, test } from 'vitest';

const namespace = NamespaceSecret.generate();
const author = Author.generate();
const hash = new Uint8Array(32).fill(5);
const now = 1_800_000_000_000_000n;
const key = new TextEncoder().encode('k');

const signedAt = (timestamp: bigint, recordHash: Uint8Array = hash, len = 3) =>
  signEntry({ id: RecordIdentifier.of(namespace.id, author.id, key), record: createRecord(recordHash, len, timestamp) }, namespace, author);

describe('validateEntry', () => {
  test('a valid remote entry passes', async () => {
    expect(await validateEntry(await signedAt(now), { namespace: namespace.id, verifySignatures: true, now })).toBeUndefined();
  });

  test('wrong namespace', async () => {
    const result = await validateEntry(await signedAt(now), { namespace: new Uint8Array(32), verifySignatures: true, now });
    expect(result).toBe(VALIDATION_FAILURE.invalidNamespace);
  });

  test('bad signature (either one) is refused for remote entries only', async () => {
    const signed = await signedAt(now);
    const flip = (signature: Uint8Array) => signature.map((byte, index) => (index === 10 ? byte ^ 1 : byte));
    const badAuthor: SignedEntry = { ...signed, signature: { ...signed.signature, authorSignature: flip(signed.signature.authorSignature) } };
    const badNamespace: SignedEntry = {
      ...signed,
      signature: { ...signed.signature, namespaceSignature: flip(signed.signature.namespaceSignature) },
    };
    for (const bad of [badAuthor, badNamespace]) {
      expect(await validateEntry(bad, { namespace: namespace.id, verifySignatures: true, now })).toBe(VALIDATION_FAILURE.badSignature);
      expect(await validateEntry(bad, { namespace: namespace.id, verifySignatures: false, now })).toBeUndefined();
    }
  });

  test('the future limit is 10 minutes in µs, inclusive', async () => {
    const options = { namespace: namespace.id, verifySignatures: true, now };
    expect(MAX_TIMESTAMP_FUTURE_SHIFT).toBe(600_000_000n);
    expect(await validateEntry(await signedAt(now + MAX_TIMESTAMP_FUTURE_SHIFT - 10_000n), options)).toBeUndefined();
    expect(await validateEntry(await signedAt(now + MAX_TIMESTAMP_FUTURE_SHIFT), options)).toBeUndefined();
    expect(await validateEntry(await signedAt(now + MAX_TIMESTAMP_FUTURE_SHIFT + 1n), options)).toBe(
      VALIDATION_FAILURE.tooFarInTheFuture,
    );
    expect(await validateEntry(await signedAt(1n), options)).toBeUndefined();
  });

  test('the empty-entry rule applies only when asked', async () => {
    const inconsistent = await signedAt(now, EMPTY_HASH, 3);
    const options = { namespace: namespace.id, verifySignatures: true, now };
    expect(await validateEntry(inconsistent, options)).toBeUndefined();
    expect(await validateEntry(inconsistent, { ...options, checkEmpty: true })).toBe(VALIDATION_FAILURE.invalidEmptyEntry);
    expect(await validateEntry(await signedAt(now, EMPTY_HASH, 0), { ...options, checkEmpty: true })).toBeUndefined();
  });
});

describe('validateEntries', () => {
  test('answers like validateEntry for each entry, in order, whichever checks are on', async () => {
    const other = NamespaceSecret.generate();
    const flip = (signature: Uint8Array) => signature.map((byte, index) => (index === 7 ? byte ^ 1 : byte));
    const good = await signedAt(now);
    const badSignature: SignedEntry = { ...good, signature: { ...good.signature, authorSignature: flip(good.signature.authorSignature) } };
    const future = await signedAt(now + MAX_TIMESTAMP_FUTURE_SHIFT + 1n);
    const futureAndBad: SignedEntry = { ...future, signature: { ...future.signature, namespaceSignature: flip(future.signature.namespaceSignature) } };
    const foreign = await signEntry(
      { id: RecordIdentifier.of(other.id, author.id, key), record: createRecord(hash, 3, now + MAX_TIMESTAMP_FUTURE_SHIFT + 1n) },
      other,
      author,
    );
    const inconsistentAndForeign: SignedEntry = { ...foreign, entry: { ...foreign.entry, record: createRecord(EMPTY_HASH, 3, now) } };
    const entries = [good, badSignature, future, futureAndBad, foreign, inconsistentAndForeign, good];
    for (const verifySignatures of [true, false]) {
      for (const checkEmpty of [true, false]) {
        const options = { namespace: namespace.id, verifySignatures, checkEmpty, now };
        const one = await Promise.all(entries.map((entry) => validateEntry(entry, options)));
        expect(await validateEntries(entries, options)).toEqual(one);
      }
    }
    expect(await validateEntries(entries, { namespace: namespace.id, verifySignatures: true, checkEmpty: true, now })).toEqual([
      undefined,
      VALIDATION_FAILURE.badSignature,
      VALIDATION_FAILURE.tooFarInTheFuture,
      VALIDATION_FAILURE.badSignature,
      VALIDATION_FAILURE.invalidNamespace,
      VALIDATION_FAILURE.invalidEmptyEntry,
      undefined,
    ]);
    expect(await validateEntries([], { namespace: namespace.id, verifySignatures: true })).toEqual([]);
  });
});

describe('verifySignedEntries', () => {
  test('answers like verifySignedEntry for each entry, in order', async () => {
    const good = await signedAt(now);
    const flip = (signature: Uint8Array) => signature.map((byte, index) => (index === 3 ? byte ^ 1 : byte));
    const badNamespace: SignedEntry = { ...good, signature: { ...good.signature, namespaceSignature: flip(good.signature.namespaceSignature) } };
    const badAuthor: SignedEntry = { ...good, signature: { ...good.signature, authorSignature: flip(good.signature.authorSignature) } };
    const entries = [good, badNamespace, good, badAuthor];
    expect(await verifySignedEntries(entries)).toEqual([true, false, true, false]);
    expect(await verifySignedEntries([])).toEqual([]);
  });
});

describe('signNewEntry', () => {
  test('signs with a write capability; the result validates', async () => {
    const signed = await signNewEntry(writeCapability(namespace), author, { key, hash, len: 3 });
    expect(signed.entry.id.key).toEqual(key);
    expect(await validateEntry(signed, { namespace: namespace.id, verifySignatures: true })).toBeUndefined();
  });

  test('a read capability cannot sign', async () => {
    await expect(signNewEntry(readCapability(namespace.id), author, { key, hash, len: 3 })).rejects.toMatchObject({
      code: ENTRY_ERROR_CODES.READ_ONLY,
    });
  });

  test('signEntry refuses keys that are not the entry’s', async () => {
    const entry = { id: RecordIdentifier.of(namespace.id, author.id, key), record: createRecord(hash, 1, now) };
    await expect(signEntry(entry, NamespaceSecret.generate(), author)).rejects.toMatchObject({ code: ENTRY_ERROR_CODES.WRONG_KEY });
    await expect(signEntry(entry, namespace, Author.generate())).rejects.toMatchObject({ code: ENTRY_ERROR_CODES.WRONG_KEY });
  });
});
