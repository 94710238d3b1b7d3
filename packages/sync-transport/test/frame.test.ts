import { bytesToHex } from '@docs/crypto';
import { FrameDecoder, MAX_FRAME_LENGTH_LIMIT, SYNC_ERROR_CODES, encodeFrame } from '@docs/sync-transport';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';

describe('frames', () => {
  test('a frame is a u32 big-endian length and the payload', () => {
    expect(bytesToHex(encodeFrame(Uint8Array.of(1, 2, 3)))).toBe('00000003010203');
    expect(bytesToHex(encodeFrame(new Uint8Array(0)))).toBe('00000000');
  });

  test('frames split at any chunk boundaries come out whole and in order (seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 30 }),
        (payloads, cuts) => {
          const stream = Uint8Array.from(payloads.flatMap((payload) => [...encodeFrame(payload)]));
          const decoder = new FrameDecoder(1000);
          const frames: Uint8Array[] = [];
          let offset = 0;
          for (let index = 0; offset < stream.length; index++) {
            const size = cuts[index % cuts.length]!;
            frames.push(...decoder.push(stream.subarray(offset, offset + size)));
            offset += size;
          }
          decoder.end();
          expect(frames).toEqual(payloads);
        },
      ),
      { seed: 0xf7a3e, numRuns: 500 },
    );
  });

  test('an oversized frame is refused from its header, before its payload is buffered', () => {
    const decoder = new FrameDecoder(16);
    expect(decoder.push(encodeFrame(new Uint8Array(16)))).toHaveLength(1);
    expect(() => decoder.push(Uint8Array.of(0, 0, 0, 17))).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.FRAME_TOO_LARGE }));
    expect(decoder.buffered).toBe(0);
    expect(() => encodeFrame(new Uint8Array(17), 16)).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.FRAME_TOO_LARGE }));
  });

  test('a stream that ends inside a frame is reported', () => {
    const decoder = new FrameDecoder();
    decoder.push(Uint8Array.of(0, 0, 0, 5, 1));
    expect(() => decoder.end()).toThrow(expect.objectContaining({ code: SYNC_ERROR_CODES.TRUNCATED_FRAME }));
  });

  test('the limit is configurable up to the reference’s 1 GiB', () => {
    expect(() => new FrameDecoder(MAX_FRAME_LENGTH_LIMIT)).not.toThrow();
    expect(() => new FrameDecoder(MAX_FRAME_LENGTH_LIMIT + 1)).toThrow(RangeError);
  });
});
