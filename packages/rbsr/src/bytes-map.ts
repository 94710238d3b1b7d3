import { bytesEqual } from './bytes.js';

/**
 * A map from byte keys (compared by content) to values. Keys are hashed on their length and last
 * 16 bytes (keys of one set usually share long prefixes), collisions resolved by comparing bytes.
 */
export class BytesMap<V> {
  private readonly buckets = new Map<number, Array<{ key: Uint8Array; value: V }>>();

  /** The value stored under `key`, or `undefined`. */
  get(key: Uint8Array): V | undefined {
    const bucket = this.buckets.get(hashKey(key));
    if (bucket === undefined) return undefined;
    for (const entry of bucket) if (bytesEqual(entry.key, key)) return entry.value;
    return undefined;
  }

  /** Stores `value` under `key`, replacing any value stored there. */
  set(key: Uint8Array, value: V): void {
    const hash = hashKey(key);
    const bucket = this.buckets.get(hash);
    if (bucket === undefined) {
      this.buckets.set(hash, [{ key, value }]);
      return;
    }
    for (const entry of bucket) {
      if (bytesEqual(entry.key, key)) {
        entry.value = value;
        return;
      }
    }
    bucket.push({ key, value });
  }

  /** Removes `key`; whether it was there. */
  delete(key: Uint8Array): boolean {
    const hash = hashKey(key);
    const bucket = this.buckets.get(hash);
    const index = bucket === undefined ? -1 : bucket.findIndex((entry) => bytesEqual(entry.key, key));
    if (index < 0) return false;
    if (bucket!.length === 1) this.buckets.delete(hash);
    else bucket!.splice(index, 1);
    return true;
  }
}

/** FNV-1a over the length and the last 16 bytes, as a small integer. */
function hashKey(key: Uint8Array): number {
  let hash = 0x811c9dc5 ^ key.length;
  for (let i = Math.max(0, key.length - 16); i < key.length; i++) {
    hash = Math.imul(hash ^ (key[i] as number), 0x01000193);
  }
  return hash >>> 0;
}
