import { Point } from '@noble/ed25519';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PointTable } from '../src/ed25519-point-table.js';
import { GROUP_ORDER, scalarFrom, torsionPoints } from './ed25519-edge-cases.js';

const PROPERTY_SEED = 0x7ab1e;

/** Double-and-add over the whole scalar: the reference. */
function naiveMultiply(point: Point, scalar: bigint): Point {
  let result = Point.ZERO;
  for (let addend = point; scalar > 0n; scalar >>= 1n, addend = addend.double()) {
    if (scalar & 1n) result = result.add(addend);
  }
  return result;
}

describe('PointTable', () => {
  const torsion = torsionPoints();
  const points: [string, Point][] = [
    ['a large-order point', Point.BASE.multiply(scalarFrom('table point'))],
    ['a mixed-order point', Point.BASE.multiply(scalarFrom('table mixed')).add(torsion[3]!)],
    ['a point of order 8', torsion[1]!],
    ['the identity', Point.ZERO],
  ];

  it.each(points)('multiplies %s like double-and-add at the digit boundaries', (_name, point) => {
    const table = new PointTable(point);
    const boundaries = [
      0n, 1n, 7n, 8n, 9n, 15n, 16n, 0x88n, 0x8888n, GROUP_ORDER - 1n, GROUP_ORDER, (1n << 252n) - 1n,
      0x8888888888888888888888888888888888888888888888888888888888888888n, (1n << 256n) - 1n,
    ];
    for (const scalar of boundaries) expect(table.multiply(scalar).equals(naiveMultiply(point, scalar)), String(scalar)).toBe(true);
  });

  it('multiplies like double-and-add for random scalars (seeded)', () => {
    const [, point] = points[1]!;
    const table = new PointTable(point);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }), (scalar) => {
        expect(table.multiply(scalar).equals(naiveMultiply(point, scalar))).toBe(true);
      }),
      { seed: PROPERTY_SEED, numRuns: 100 },
    );
  });
});
