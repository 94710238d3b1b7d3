import { STORE_ERROR_CODES, StoreError, type StoreErrorCode } from '@docs/store';

/** The `LEVEL_*` codes that mean something more specific than `DOCS_STORE_IO`. */
const LEVEL_CODE_TO_STORE_CODE: Readonly<Record<string, StoreErrorCode>> = {
  LEVEL_LOCKED: STORE_ERROR_CODES.LOCKED,
  LEVEL_CORRUPTION: STORE_ERROR_CODES.CORRUPTED,
  LEVEL_DECODE_ERROR: STORE_ERROR_CODES.CORRUPTED,
  LEVEL_DATABASE_NOT_OPEN: STORE_ERROR_CODES.CLOSED,
  LEVEL_ITERATOR_NOT_OPEN: STORE_ERROR_CODES.CLOSED,
  LEVEL_BATCH_NOT_OPEN: STORE_ERROR_CODES.CLOSED,
};

/**
 * Turns a failure of the underlying abstract-level database into a {@link StoreError} with the original error as
 * `cause`. The cause chain is searched, because classic-level reports a held lock as `LEVEL_DATABASE_NOT_OPEN`
 * caused by `LEVEL_LOCKED`; the most specific code found wins (locked and corrupted before closed, closed before
 * IO).
 */
export function toStoreError(error: unknown, action: string): StoreError {
  if (error instanceof StoreError) return error;
  const codes = levelCodes(error);
  const storeCode =
    [STORE_ERROR_CODES.LOCKED, STORE_ERROR_CODES.CORRUPTED, STORE_ERROR_CODES.CLOSED].find((candidate) =>
      codes.some((code) => LEVEL_CODE_TO_STORE_CODE[code] === candidate),
    ) ?? STORE_ERROR_CODES.IO;
  const detail = error instanceof Error ? error.message : String(error);
  const message =
    storeCode === STORE_ERROR_CODES.LOCKED
      ? `${action}: the database is locked by another process (${detail})`
      : `${action}: ${detail}`;
  return new StoreError(storeCode, message, { cause: error });
}

function levelCodes(error: unknown): string[] {
  const codes: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 8 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
}
