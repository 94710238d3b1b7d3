/** Bytes per `String.fromCharCode` call (stays far below the engine's argument limit). */
const CHUNK = 4096;

/** A string that is equal exactly for equal byte strings (one char per byte), for use as a Map key. */
export function bytesToMapKey(bytes: Uint8Array): string {
  if (bytes.length <= CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let text = '';
  for (let offset = 0; offset < bytes.length; offset += CHUNK) {
    text += String.fromCharCode.apply(null, bytes.subarray(offset, offset + CHUNK) as unknown as number[]);
  }
  return text;
}
