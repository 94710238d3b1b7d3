import { Point } from '@noble/ed25519';

/** Radix 16: one window per 4 bits of the scalar, signed digits in [-8, 7]. */
const WINDOW_BITS = 4;
/** 64 windows cover 256 bits; one more takes the final carry of the signed recoding. */
const WINDOW_COUNT = 256 / WINDOW_BITS + 1;
/** Each window stores 1·base … 8·base. */
const MULTIPLES_PER_WINDOW = 8;

/**
 * Precomputed multiples of one point, for fast variable-base scalar multiplication by the portable
 * verifier: `rows[w][j] = (j + 1)·16^w·P`. A multiplication is then at most 65 point additions and no
 * doublings (noble's `Point.multiply` on an arbitrary point does 256 doublings and ~128 additions).
 * Building costs about 520 group operations, so it pays from the second verification under one key.
 * Variable-time: for public points and scalars only.
 */
export class PointTable {
  readonly #rows: Point[][];

  /** @param point - any point, including one with a torsion component (the arithmetic is exact) */
  constructor(point: Point) {
    const rows: Point[][] = [];
    let base = point;
    for (let window = 0; window < WINDOW_COUNT; window++) {
      const row: Point[] = [base, base.double()];
      for (let multiple = 3; multiple <= MULTIPLES_PER_WINDOW; multiple++) row.push(row[multiple - 2]!.add(base));
      rows.push(row);
      base = row[MULTIPLES_PER_WINDOW - 1]!.double(); // 16·base
    }
    this.#rows = rows;
  }

  /** [scalar]P for 0 ≤ scalar < 2^256. */
  multiply(scalar: bigint): Point {
    let result = Point.ZERO;
    let carry = 0;
    for (let byteIndex = 0; byteIndex < 32; byteIndex++) {
      const byte = Number((scalar >> BigInt(8 * byteIndex)) & 0xffn);
      for (const [nibble, window] of [
        [byte & 15, 2 * byteIndex],
        [byte >> 4, 2 * byteIndex + 1],
      ] as const) {
        let digit = nibble + carry;
        carry = digit >= MULTIPLES_PER_WINDOW ? 1 : 0;
        digit -= carry << WINDOW_BITS;
        if (digit > 0) result = result.add(this.#rows[window]![digit - 1]!);
        else if (digit < 0) result = result.subtract(this.#rows[window]![-digit - 1]!);
      }
    }
    if (carry !== 0) result = result.add(this.#rows[WINDOW_COUNT - 1]![0]!);
    return result;
  }
}
