/** Key size of {@link halfSipHash24}. */
export const HALF_SIPHASH_KEY_LENGTH = 8;

/**
 * HalfSipHash-2-4 with a 32-bit output (Aumasson & Bernstein's keyed PRF for 32-bit words, the `hsip32` test
 * vectors): a fast keyed hash whose outputs cannot be steered by someone who does not know the key. Returns the
 * output as the unsigned little-endian integer of its four bytes.
 */
export function halfSipHash24(key: Uint8Array, data: Uint8Array): number {
  if (key.length !== HALF_SIPHASH_KEY_LENGTH) throw new RangeError(`a HalfSipHash key has ${HALF_SIPHASH_KEY_LENGTH} bytes`);
  const k0 = readU32(key, 0);
  const k1 = readU32(key, 4);
  let v0 = k0;
  let v1 = k1;
  let v2 = (0x6c796765 ^ k0) >>> 0;
  let v3 = (0x74656462 ^ k1) >>> 0;
  const whole = data.length - (data.length % 4);
  let last = (data.length << 24) >>> 0;
  for (let index = data.length - 1; index >= whole; index--) last = (last | (data[index]! << ((index - whole) * 8))) >>> 0;
  // Message words (two rounds each), then the length word, then the finalisation (four rounds).
  for (let offset = 0; offset <= whole; offset += 4) {
    const word = offset < whole ? readU32(data, offset) : last;
    const finishing = offset === whole;
    v3 ^= word;
    for (let round = 0; round < (finishing ? 6 : 2); round++) {
      if (finishing && round === 2) {
        v0 ^= word;
        v2 ^= 0xff;
      }
      // One SipRound on 32-bit words.
      v0 = (v0 + v1) >>> 0;
      v1 = (((v1 << 5) | (v1 >>> 27)) ^ v0) >>> 0;
      v0 = ((v0 << 16) | (v0 >>> 16)) >>> 0;
      v2 = (v2 + v3) >>> 0;
      v3 = (((v3 << 8) | (v3 >>> 24)) ^ v2) >>> 0;
      v0 = (v0 + v3) >>> 0;
      v3 = (((v3 << 7) | (v3 >>> 25)) ^ v0) >>> 0;
      v2 = (v2 + v1) >>> 0;
      v1 = (((v1 << 13) | (v1 >>> 19)) ^ v2) >>> 0;
      v2 = ((v2 << 16) | (v2 >>> 16)) >>> 0;
    }
    if (!finishing) v0 ^= word;
  }
  return (v1 ^ v3) >>> 0;
}

function readU32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}
