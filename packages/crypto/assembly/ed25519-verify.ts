// Ed25519 verification with precomputed tables, in AssemblyScript (compiled to WebAssembly by `pnpm build:wasm`).
//
// Computes the cofactorless equation of the strict rule for public keys that have a table: R' = [S]B + [k](-A)
// with k = SHA-512(R ‖ A ‖ M) mod L, encoded and compared with the bytes of R. The caller applies the strict
// pre-checks. Every operation is exact group arithmetic, so a key with a torsion component verifies exactly as it
// does with the double-scalar multiplication of OpenSSL or ed25519-dalek. Variable-time: public data only.
//
// Field elements of GF(2^255 - 19) are ten signed 64-bit limbs in radix 2^25.5: limb i has weight 2^ceil(25.5·i)
// (26 bits for even i, 25 for odd). Products need |limb| < 2^27.4, so a multiplication's inputs are reduced
// (every limb below 2^26 after a carry) or the sum or difference of two reduced elements.
//
// Points are in extended coordinates (X : Y : Z : T), x = X/Z, y = Y/Z, xy = T/Z, on -x² + y² = 1 + d·x²·y².
// A table holds, for each of the 32 byte positions w of a scalar and each m in 1..128, the point m·256^w·P as
// (y + x, y - x, 2d·x·y) with 32-bit limbs: a scalar multiplication is then at most 32 mixed additions (signed
// digits in [-128, 127]), and a verification at most 64.

const FE: usize = 80; // bytes of a field element (10 × i64)
const PACKED_FE: usize = 40; // bytes of a field element in a table (10 × i32)
const POINT: usize = 4 * FE; // X, Y, Z, T
const TABLE_POINT: usize = 3 * PACKED_FE; // y + x, y - x, 2d·x·y
const MULTIPLES: usize = 128;
const WINDOWS: usize = 32;
/** Bytes of one table: 32 windows × 128 multiples. */
const TABLE: usize = WINDOWS * MULTIPLES * TABLE_POINT;

/** Records per {@link verifyBatch} call at most. */
const BATCH: usize = 256;
/** Bytes of the records area. */
const RECORDS_BYTES: usize = 256 * 1024;
/** Bytes of a record before its message: table (u32), message length (u32), A (32), R (32), S (32). */
const RECORD_HEADER: usize = 104;

// Constants (little-endian bytes), decoded by init.
const D_BYTES = memory.data<u8>([
  163, 120, 89, 19, 202, 77, 235, 117, 171, 216, 65, 65, 77, 10, 112, 0, 152, 232, 121, 119, 121, 64, 199, 140, 115,
  254, 111, 43, 238, 108, 3, 82,
]);
const SQRT_M1_BYTES = memory.data<u8>([
  176, 160, 14, 74, 39, 27, 238, 196, 120, 228, 47, 173, 6, 24, 67, 47, 167, 215, 251, 61, 153, 0, 77, 43, 11, 223,
  193, 79, 128, 36, 131, 43,
]);
/** The encoding of the base point B (y = 4/5, x even). */
const BASE_BYTES = memory.data<u8>([
  88, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102, 102,
  102, 102, 102, 102, 102, 102, 102, 102, 102,
]);

const D = memory.data(<i32>FE, 8);
const D2 = memory.data(<i32>FE, 8);
const SQRT_M1 = memory.data(<i32>FE, 8);

// Scratch field elements and points.
const T0 = memory.data(<i32>FE, 8);
const T1 = memory.data(<i32>FE, 8);
const T2 = memory.data(<i32>FE, 8);
const T3 = memory.data(<i32>FE, 8);
const T4 = memory.data(<i32>FE, 8);
const T5 = memory.data(<i32>FE, 8);
const T6 = memory.data(<i32>FE, 8);
const T7 = memory.data(<i32>FE, 8);
const T8 = memory.data(<i32>FE, 8);
const BYTES_A = memory.data(32, 8);
const BYTES_B = memory.data(32, 8);
const AFFINE_BYTES = memory.data(32, 8);
const DIGITS_S = memory.data(32, 8);
const DIGITS_K = memory.data(32, 8);
const DIGEST = memory.data(64, 8);
const CHALLENGE = memory.data(32, 8);
const ACC = memory.data(<i32>POINT, 8);
const NIELS_Y_PLUS_X = memory.data(<i32>FE, 8);
const NIELS_Y_MINUS_X = memory.data(<i32>FE, 8);
const NIELS_XY2D = memory.data(<i32>FE, 8);
const AFFINE_X = memory.data(<i32>FE, 8);
const AFFINE_Y = memory.data(<i32>FE, 8);
const SUM = memory.data(<i32>FE, 8);
const INVERSE = memory.data(<i32>FE, 8);
const Z_INVERSE = memory.data(<i32>FE, 8);
const DECODED = memory.data(<i32>POINT, 8);

// The dynamic region: records, verdicts, the hash input, the results of a batch and their running products, the
// window's multiples while a table is built, the public keys of the tables, then the tables (table 0: the base point).
let records: usize = 0;
let verdicts: usize = 0;
let hashInput: usize = 0; // R ‖ A ‖ message
let offsets: usize = 0; // BATCH × u32: where each record starts
let results: usize = 0; // BATCH × (X, Y, Z)
let products: usize = 0; // max(BATCH, MULTIPLES) × FE
let multiples: usize = 0; // MULTIPLES × POINT
let keys: usize = 0; // tableCount × 32
let valid: usize = 0; // tableCount bytes: 1 when the table's key is a point
let tables: usize = 0;
let tableCount: i32 = 0;

// ---- field arithmetic ----

function feCopy(h: usize, f: usize): void {
  memory.copy(h, f, FE);
}

function feSet(h: usize, value: i64): void {
  memory.fill(h, 0, FE);
  store<i64>(h, value);
}

function feAdd(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) + load<i64>(g + i));
}

function feSub(h: usize, f: usize, g: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, load<i64>(f + i) - load<i64>(g + i));
}

function feNeg(h: usize, f: usize): void {
  for (let i: usize = 0; i < FE; i += 8) store<i64>(h + i, -load<i64>(f + i));
}

/**
 * Carries h0..h9 (floor division) into limbs of their width and stores them. The carry out of h9 is folded back as
 * 19·c (2^255 ≡ 19) when `fold`, else dropped (the value taken modulo 2^255).
 */
// @ts-ignore: decorator
@inline
function carryStore(
  h: usize,
  fold: bool,
  h0: i64, h1: i64, h2: i64, h3: i64, h4: i64, h5: i64, h6: i64, h7: i64, h8: i64, h9: i64,
): void {
  let c: i64;
  c = h0 >> 26; h1 += c; h0 -= c << 26;
  c = h1 >> 25; h2 += c; h1 -= c << 25;
  c = h2 >> 26; h3 += c; h2 -= c << 26;
  c = h3 >> 25; h4 += c; h3 -= c << 25;
  c = h4 >> 26; h5 += c; h4 -= c << 26;
  c = h5 >> 25; h6 += c; h5 -= c << 25;
  c = h6 >> 26; h7 += c; h6 -= c << 26;
  c = h7 >> 25; h8 += c; h7 -= c << 25;
  c = h8 >> 26; h9 += c; h8 -= c << 26;
  c = h9 >> 25; h9 -= c << 25;
  if (fold) {
    h0 += c * 19;
    c = h0 >> 26; h1 += c; h0 -= c << 26;
  }
  store<i64>(h, h0, 0); store<i64>(h, h1, 8); store<i64>(h, h2, 16); store<i64>(h, h3, 24); store<i64>(h, h4, 32);
  store<i64>(h, h5, 40); store<i64>(h, h6, 48); store<i64>(h, h7, 56); store<i64>(h, h8, 64); store<i64>(h, h9, 72);
}

function feCarry(h: usize): void {
  carryStore(
    h,
    true,
    load<i64>(h, 0), load<i64>(h, 8), load<i64>(h, 16), load<i64>(h, 24), load<i64>(h, 32),
    load<i64>(h, 40), load<i64>(h, 48), load<i64>(h, 56), load<i64>(h, 64), load<i64>(h, 72),
  );
}

/**
 * h = f·g. Schoolbook over the ten limbs: a product of limbs i and j lands on limb i + j, doubled when both are odd
 * (their weights sum to one bit more than limb i + j's), and wraps to limb i + j - 10 times 19 (2^255 ≡ 19).
 */
function feMul(h: usize, f: usize, g: usize): void {
  const f0 = load<i64>(f, 0), f1 = load<i64>(f, 8), f2 = load<i64>(f, 16), f3 = load<i64>(f, 24), f4 = load<i64>(f, 32);
  const f5 = load<i64>(f, 40), f6 = load<i64>(f, 48), f7 = load<i64>(f, 56), f8 = load<i64>(f, 64), f9 = load<i64>(f, 72);
  const g0 = load<i64>(g, 0), g1 = load<i64>(g, 8), g2 = load<i64>(g, 16), g3 = load<i64>(g, 24), g4 = load<i64>(g, 32);
  const g5 = load<i64>(g, 40), g6 = load<i64>(g, 48), g7 = load<i64>(g, 56), g8 = load<i64>(g, 64), g9 = load<i64>(g, 72);
  const g1x19 = g1 * 19, g2x19 = g2 * 19, g3x19 = g3 * 19, g4x19 = g4 * 19, g5x19 = g5 * 19;
  const g6x19 = g6 * 19, g7x19 = g7 * 19, g8x19 = g8 * 19, g9x19 = g9 * 19;
  const f1x2 = f1 << 1, f3x2 = f3 << 1, f5x2 = f5 << 1, f7x2 = f7 << 1, f9x2 = f9 << 1;
  const h0 = f0 * g0 + f1x2 * g9x19 + f2 * g8x19 + f3x2 * g7x19 + f4 * g6x19 + f5x2 * g5x19 + f6 * g4x19 + f7x2 * g3x19 + f8 * g2x19 + f9x2 * g1x19;
  const h1 = f0 * g1 + f1 * g0 + f2 * g9x19 + f3 * g8x19 + f4 * g7x19 + f5 * g6x19 + f6 * g5x19 + f7 * g4x19 + f8 * g3x19 + f9 * g2x19;
  const h2 = f0 * g2 + f1x2 * g1 + f2 * g0 + f3x2 * g9x19 + f4 * g8x19 + f5x2 * g7x19 + f6 * g6x19 + f7x2 * g5x19 + f8 * g4x19 + f9x2 * g3x19;
  const h3 = f0 * g3 + f1 * g2 + f2 * g1 + f3 * g0 + f4 * g9x19 + f5 * g8x19 + f6 * g7x19 + f7 * g6x19 + f8 * g5x19 + f9 * g4x19;
  const h4 = f0 * g4 + f1x2 * g3 + f2 * g2 + f3x2 * g1 + f4 * g0 + f5x2 * g9x19 + f6 * g8x19 + f7x2 * g7x19 + f8 * g6x19 + f9x2 * g5x19;
  const h5 = f0 * g5 + f1 * g4 + f2 * g3 + f3 * g2 + f4 * g1 + f5 * g0 + f6 * g9x19 + f7 * g8x19 + f8 * g7x19 + f9 * g6x19;
  const h6 = f0 * g6 + f1x2 * g5 + f2 * g4 + f3x2 * g3 + f4 * g2 + f5x2 * g1 + f6 * g0 + f7x2 * g9x19 + f8 * g8x19 + f9x2 * g7x19;
  const h7 = f0 * g7 + f1 * g6 + f2 * g5 + f3 * g4 + f4 * g3 + f5 * g2 + f6 * g1 + f7 * g0 + f8 * g9x19 + f9 * g8x19;
  const h8 = f0 * g8 + f1x2 * g7 + f2 * g6 + f3x2 * g5 + f4 * g4 + f5x2 * g3 + f6 * g2 + f7x2 * g1 + f8 * g0 + f9x2 * g9x19;
  const h9 = f0 * g9 + f1 * g8 + f2 * g7 + f3 * g6 + f4 * g5 + f5 * g4 + f6 * g3 + f7 * g2 + f8 * g1 + f9 * g0;
  carryStore(h, true, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f², the products of {@link feMul} with each pair of distinct limbs taken once and doubled. */
function feSquare(h: usize, f: usize): void {
  const f0 = load<i64>(f, 0), f1 = load<i64>(f, 8), f2 = load<i64>(f, 16), f3 = load<i64>(f, 24), f4 = load<i64>(f, 32);
  const f5 = load<i64>(f, 40), f6 = load<i64>(f, 48), f7 = load<i64>(f, 56), f8 = load<i64>(f, 64), f9 = load<i64>(f, 72);
  const f0x2 = f0 * 2, f1x2 = f1 * 2, f2x2 = f2 * 2, f3x2 = f3 * 2, f4x2 = f4 * 2;
  const f5x2 = f5 * 2, f6x2 = f6 * 2, f7x2 = f7 * 2, f8x2 = f8 * 2, f9x2 = f9 * 2;
  const f1x4 = f1 * 4, f3x4 = f3 * 4, f5x4 = f5 * 4, f7x4 = f7 * 4;
  const f5x19 = f5 * 19, f6x19 = f6 * 19, f7x19 = f7 * 19, f8x19 = f8 * 19, f9x19 = f9 * 19;
  const h0 = f0 * f0 + f1x4 * f9x19 + f2x2 * f8x19 + f3x4 * f7x19 + f4x2 * f6x19 + f5x2 * f5x19;
  const h1 = f0x2 * f1 + f2x2 * f9x19 + f3x2 * f8x19 + f4x2 * f7x19 + f5x2 * f6x19;
  const h2 = f0x2 * f2 + f1x2 * f1 + f3x4 * f9x19 + f4x2 * f8x19 + f5x4 * f7x19 + f6 * f6x19;
  const h3 = f0x2 * f3 + f1x2 * f2 + f4x2 * f9x19 + f5x2 * f8x19 + f6x2 * f7x19;
  const h4 = f0x2 * f4 + f1x4 * f3 + f2 * f2 + f5x4 * f9x19 + f6x2 * f8x19 + f7x2 * f7x19;
  const h5 = f0x2 * f5 + f1x2 * f4 + f2x2 * f3 + f6x2 * f9x19 + f7x2 * f8x19;
  const h6 = f0x2 * f6 + f1x4 * f5 + f2x2 * f4 + f3x2 * f3 + f7x4 * f9x19 + f8 * f8x19;
  const h7 = f0x2 * f7 + f1x2 * f6 + f2x2 * f5 + f3x2 * f4 + f8x2 * f9x19;
  const h8 = f0x2 * f8 + f1x4 * f7 + f2x2 * f6 + f3x4 * f5 + f4 * f4 + f9x2 * f9x19;
  const h9 = f0x2 * f9 + f1x2 * f8 + f2x2 * f7 + f3x2 * f6 + f4x2 * f5;
  carryStore(h, true, h0, h1, h2, h3, h4, h5, h6, h7, h8, h9);
}

/** h = f^(2^n). */
function feSquareTimes(h: usize, f: usize, n: i32): void {
  feSquare(h, f);
  for (let i = 1; i < n; i++) feSquare(h, h);
}

/**
 * h = f^(2^250 - 1), and `f11` = f^11 — the common prefix of inversion and square root. h must not be f. Uses T4..T7.
 */
function fePow2to250(h: usize, f11: usize, f: usize): void {
  const t = T4, f5_0 = T5, f10_0 = T6, f50_0 = T7;
  feSquare(t, f); // 2
  feSquareTimes(h, t, 2); // 8
  feMul(h, h, f); // 9
  feMul(f11, h, t); // 11
  feSquare(t, f11); // 22
  feMul(f5_0, t, h); // 2^5 - 1
  feSquareTimes(t, f5_0, 5);
  feMul(f10_0, t, f5_0); // 2^10 - 1
  feSquareTimes(t, f10_0, 10);
  feMul(t, t, f10_0); // 2^20 - 1
  feSquareTimes(h, t, 20);
  feMul(h, h, t); // 2^40 - 1
  feSquareTimes(h, h, 10);
  feMul(f50_0, h, f10_0); // 2^50 - 1
  feSquareTimes(t, f50_0, 50);
  feMul(t, t, f50_0); // 2^100 - 1
  feSquareTimes(h, t, 100);
  feMul(h, h, t); // 2^200 - 1
  feSquareTimes(h, h, 50);
  feMul(h, h, f50_0); // 2^250 - 1
}

/** h = 1/f = f^(p - 2) = f^(2^255 - 21); h must not be f. Uses T3..T7. */
function feInvert(h: usize, f: usize): void {
  const f11 = T3;
  fePow2to250(h, f11, f);
  feSquareTimes(h, h, 5);
  feMul(h, h, f11);
}

/** h = f^((p - 5) / 8) = f^(2^252 - 3); h must not be f. Uses T3..T7. */
function fePow22523(h: usize, f: usize): void {
  fePow2to250(h, T3, f);
  feSquareTimes(h, h, 2);
  feMul(h, h, f);
}

/** Reads 32 little-endian bytes, ignoring the top bit. */
function feFromBytes(h: usize, bytes: usize): void {
  store<i64>(h, <i64>(load<u32>(bytes, 0) & 0x3ffffff), 0);
  store<i64>(h, <i64>((load<u32>(bytes, 3) >> 2) & 0x1ffffff), 8);
  store<i64>(h, <i64>((load<u32>(bytes, 6) >> 3) & 0x3ffffff), 16);
  store<i64>(h, <i64>((load<u32>(bytes, 9) >> 5) & 0x1ffffff), 24);
  store<i64>(h, <i64>((load<u32>(bytes, 12) >> 6) & 0x3ffffff), 32);
  store<i64>(h, <i64>(load<u32>(bytes, 16) & 0x1ffffff), 40);
  store<i64>(h, <i64>((load<u32>(bytes, 19) >> 1) & 0x3ffffff), 48);
  store<i64>(h, <i64>((load<u32>(bytes, 22) >> 3) & 0x1ffffff), 56);
  store<i64>(h, <i64>((load<u32>(bytes, 25) >> 4) & 0x3ffffff), 64);
  store<i64>(h, <i64>((load<u32>(bytes, 28) >> 6) & 0x1ffffff), 72);
}

/** Writes the canonical encoding (the value reduced below p) of f as 32 little-endian bytes; f is left reduced. */
function feToBytes(bytes: usize, f: usize): void {
  feCarry(f); // every limb in range
  let h0 = load<i64>(f, 0), h1 = load<i64>(f, 8), h2 = load<i64>(f, 16), h3 = load<i64>(f, 24), h4 = load<i64>(f, 32);
  let h5 = load<i64>(f, 40), h6 = load<i64>(f, 48), h7 = load<i64>(f, 56), h8 = load<i64>(f, 64), h9 = load<i64>(f, 72);
  // The value v lies in [-19, 2^255 + 2^17): q = floor(v / p) is -1, 0 or 1, computed as floor((v + e) / 2^255)
  // with e = round(19·h9 / 2^25) — 19 where v is near 2^255 (so that v ≥ p counts), 0 where v is near 0 (so that a
  // negative v counts). Then v - q·p = v + 19q - q·2^255: add 19q and drop the carry out of h9.
  let q = (19 * h9 + (1 << 24)) >> 25;
  q = (h0 + q) >> 26;
  q = (h1 + q) >> 25; q = (h2 + q) >> 26; q = (h3 + q) >> 25; q = (h4 + q) >> 26;
  q = (h5 + q) >> 25; q = (h6 + q) >> 26; q = (h7 + q) >> 25; q = (h8 + q) >> 26; q = (h9 + q) >> 25;
  carryStore(f, false, h0 + 19 * q, h1, h2, h3, h4, h5, h6, h7, h8, h9);
  h0 = load<i64>(f, 0); h1 = load<i64>(f, 8); h2 = load<i64>(f, 16); h3 = load<i64>(f, 24); h4 = load<i64>(f, 32);
  h5 = load<i64>(f, 40); h6 = load<i64>(f, 48); h7 = load<i64>(f, 56); h8 = load<i64>(f, 64); h9 = load<i64>(f, 72);
  store<u64>(bytes, <u64>h0 | (<u64>h1 << 26) | (<u64>h2 << 51), 0);
  store<u64>(bytes, (<u64>h2 >> 13) | (<u64>h3 << 13) | (<u64>h4 << 38), 8);
  store<u64>(bytes, <u64>h5 | (<u64>h6 << 25) | (<u64>h7 << 51), 16);
  store<u64>(bytes, (<u64>h7 >> 13) | (<u64>h8 << 12) | (<u64>h9 << 38), 24);
}

/** Whether f and g are the same element (their canonical encodings are equal). Uses BYTES_A, BYTES_B. */
function feEqual(f: usize, g: usize): bool {
  feToBytes(BYTES_A, f);
  feToBytes(BYTES_B, g);
  return memory.compare(BYTES_A, BYTES_B, 32) == 0;
}

/** Whether the canonical value of f is odd (the sign of x in an encoding). Uses BYTES_A. */
function feIsOdd(f: usize): bool {
  feToBytes(BYTES_A, f);
  return (load<u8>(BYTES_A) & 1) == 1;
}

// ---- SHA-512 (FIPS 180-4) ----

const SHA512_K = memory.data<u64>([
  0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc, 0x3956c25bf348b538,
  0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118, 0xd807aa98a3030242, 0x12835b0145706fbe,
  0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2, 0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235,
  0xc19bf174cf692694, 0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
  0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5, 0x983e5152ee66dfab,
  0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4, 0xc6e00bf33da88fc2, 0xd5a79147930aa725,
  0x06ca6351e003826f, 0x142929670a0e6e70, 0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed,
  0x53380d139d95b3df, 0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
  0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30, 0xd192e819d6ef5218,
  0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8, 0x19a4c116b8d2d0c8, 0x1e376c085141ab53,
  0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8, 0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373,
  0x682e6ff3d6b2b8a3, 0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
  0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b, 0xca273eceea26619c,
  0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178, 0x06f067aa72176fba, 0x0a637dc5a2c898a6,
  0x113f9804bef90dae, 0x1b710b35131c471b, 0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc,
  0x431d67c49c100d4c, 0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817,
]);
const SHA512_IV = memory.data<u64>([
  0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1, 0x510e527fade682d1,
  0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179,
]);
const SHA512_STATE = memory.data(64, 8);
const SHA512_W = memory.data(80 * 8, 8);
const SHA512_TAIL = memory.data(256, 8);

function sha512Block(block: usize): void {
  const w = SHA512_W;
  for (let t: usize = 0; t < 16; t++) store<u64>(w + (t << 3), bswap<u64>(load<u64>(block + (t << 3))));
  for (let t: usize = 16; t < 80; t++) {
    const w15 = load<u64>(w + ((t - 15) << 3)), w2 = load<u64>(w + ((t - 2) << 3));
    const s0 = rotr<u64>(w15, 1) ^ rotr<u64>(w15, 8) ^ (w15 >> 7);
    const s1 = rotr<u64>(w2, 19) ^ rotr<u64>(w2, 61) ^ (w2 >> 6);
    store<u64>(w + (t << 3), load<u64>(w + ((t - 16) << 3)) + s0 + load<u64>(w + ((t - 7) << 3)) + s1);
  }
  let a = load<u64>(SHA512_STATE, 0), b = load<u64>(SHA512_STATE, 8), c = load<u64>(SHA512_STATE, 16);
  let d = load<u64>(SHA512_STATE, 24), e = load<u64>(SHA512_STATE, 32), f = load<u64>(SHA512_STATE, 40);
  let g = load<u64>(SHA512_STATE, 48), h = load<u64>(SHA512_STATE, 56);
  for (let t: usize = 0; t < 80; t++) {
    const t1 = h + (rotr<u64>(e, 14) ^ rotr<u64>(e, 18) ^ rotr<u64>(e, 41)) + ((e & f) ^ (~e & g)) +
      load<u64>(SHA512_K + (t << 3)) + load<u64>(w + (t << 3));
    const t2 = (rotr<u64>(a, 28) ^ rotr<u64>(a, 34) ^ rotr<u64>(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 0) + a, 0);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 8) + b, 8);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 16) + c, 16);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 24) + d, 24);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 32) + e, 32);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 40) + f, 40);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 48) + g, 48);
  store<u64>(SHA512_STATE, load<u64>(SHA512_STATE, 56) + h, 56);
}

/** Writes the 64-byte SHA-512 digest of `length` bytes at `input`. */
function sha512(digest: usize, input: usize, length: usize): void {
  memory.copy(SHA512_STATE, SHA512_IV, 64);
  let offset: usize = 0;
  for (; offset + 128 <= length; offset += 128) sha512Block(input + offset);
  const rest = length - offset;
  memory.fill(SHA512_TAIL, 0, 256);
  memory.copy(SHA512_TAIL, input + offset, rest);
  store<u8>(SHA512_TAIL + rest, 0x80);
  const tail: usize = rest < 112 ? 128 : 256; // room for the 128-bit length
  store<u64>(SHA512_TAIL + tail - 8, bswap<u64>(<u64>length << 3));
  store<u64>(SHA512_TAIL + tail - 16, bswap<u64>(<u64>length >> 61));
  sha512Block(SHA512_TAIL);
  if (tail == 256) sha512Block(SHA512_TAIL + 128);
  for (let i: usize = 0; i < 64; i += 8) store<u64>(digest + i, bswap<u64>(load<u64>(SHA512_STATE + i)));
}

// ---- scalars modulo L = 2^252 + c ----

/** c = L - 2^252 in six 21-bit limbs. */
const C_LIMBS = memory.data<i64>([1430509, 1626855, 1442968, 997804, 1960495, 683900]);
/** 25 signed limbs of 21 bits (525 bits: a 512-bit hash and room for carries). */
const SCALAR = memory.data(25 * 8, 8);
const LIMB_MASK: i64 = (1 << 21) - 1;

/** Carries every limb but the last into [0, 2^21) (floor division); the last keeps the sign. */
function scalarNormalize(): void {
  for (let i: usize = 0; i < 24; i++) {
    const limb = load<i64>(SCALAR + (i << 3));
    store<i64>(SCALAR + ((i + 1) << 3), load<i64>(SCALAR + ((i + 1) << 3)) + (limb >> 21));
    store<i64>(SCALAR + (i << 3), limb & LIMB_MASK);
  }
}

/** Adds sign·L (sign ±1) to the limbs. */
function scalarAddOrder(sign: i64): void {
  for (let j: usize = 0; j < 6; j++) store<i64>(SCALAR + (j << 3), load<i64>(SCALAR + (j << 3)) + sign * load<i64>(C_LIMBS + (j << 3)));
  store<i64>(SCALAR + (12 << 3), load<i64>(SCALAR + (12 << 3)) + sign); // 2^252 = 2^(21·12)
  scalarNormalize();
}

/** Whether the normalized limbs hold a negative value (the last limb carries the sign). */
function scalarIsNegative(): bool {
  return load<i64>(SCALAR + (24 << 3)) < 0;
}

/**
 * Writes the 64 little-endian bytes at `wide` reduced modulo L as 32 little-endian bytes. Three rounds replace
 * hi·2^252 by -hi·c (512 → ≤ 385 → ≤ 259 → < 253 bits, in absolute value), then whole multiples of L are added or
 * subtracted until the value lies in [0, L).
 */
function scalarReduce(out: usize, wide: usize): void {
  for (let i: usize = 0; i < 25; i++) {
    const bit = i * 21;
    const value = i < 24 ? (load<u32>(wide + (bit >> 3)) >> <u32>(bit & 7)) : <u32>load<u8>(wide + 63);
    store<i64>(SCALAR + (i << 3), <i64>value & LIMB_MASK);
  }
  for (let round = 0; round < 3; round++) {
    for (let i: usize = 12; i < 25; i++) {
      const high = load<i64>(SCALAR + (i << 3));
      store<i64>(SCALAR + (i << 3), 0);
      for (let j: usize = 0; j < 6; j++) {
        const target = SCALAR + ((i - 12 + j) << 3);
        store<i64>(target, load<i64>(target) - high * load<i64>(C_LIMBS + (j << 3)));
      }
    }
    scalarNormalize();
  }
  while (scalarIsNegative()) scalarAddOrder(1);
  for (;;) {
    scalarAddOrder(-1);
    if (scalarIsNegative()) {
      scalarAddOrder(1);
      break;
    }
  }
  // Limbs 0..12 (the value is below L < 2^253) to bytes.
  let accumulator: u64 = 0;
  let bits: u32 = 0;
  let written: usize = 0;
  for (let i: usize = 0; i < 13 && written < 32; i++) {
    accumulator |= <u64>load<i64>(SCALAR + (i << 3)) << bits;
    bits += 21;
    while (bits >= 8 && written < 32) {
      store<u8>(out + written++, <u8>accumulator);
      accumulator >>= 8;
      bits -= 8;
    }
  }
}

// ---- points ----

/**
 * Decodes 32 bytes into an extended point. False when y is not the y of a curve point, or x = 0 with the sign bit
 * set. (The strict pre-checks have already refused non-canonical encodings.) Uses T0..T8.
 */
function pointDecode(point: usize, bytes: usize): bool {
  const x = point, y = point + FE, z = point + 2 * FE, t = point + 3 * FE;
  const u = T0, v = T1, check = T2;
  feFromBytes(y, bytes);
  feSet(z, 1);
  feSquare(u, y);
  feMul(v, u, D);
  feSub(u, u, z); // u = y² - 1
  feAdd(v, v, z); // v = d·y² + 1
  feCarry(u);
  feCarry(v);
  // x = u·v³·(u·v⁷)^((p-5)/8)
  feSquare(check, v);
  feMul(check, check, v); // v³
  feMul(x, u, check); // u·v³
  feSquare(check, check);
  feMul(check, check, v); // v⁷
  feMul(check, check, u); // u·v⁷
  fePow22523(T8, check);
  feMul(x, x, T8);
  // v·x² is u (x is a root), -u (x·√-1 is), or neither (y is not on the curve).
  feSquare(check, x);
  feMul(check, check, v);
  if (!feEqual(check, u)) {
    feNeg(u, u);
    if (!feEqual(check, u)) return false;
    feMul(x, x, SQRT_M1);
  }
  const sign = load<u8>(bytes, 31) >> 7;
  feToBytes(BYTES_A, x);
  const isZero = (load<u64>(BYTES_A, 0) | load<u64>(BYTES_A, 8) | load<u64>(BYTES_A, 16) | load<u64>(BYTES_A, 24)) == 0;
  if (isZero && sign == 1) return false;
  if (<u8>(load<u8>(BYTES_A) & 1) != sign) feNeg(x, x);
  feMul(t, x, y);
  return true;
}

/** Sets the point to the identity (0 : 1 : 1 : 0). */
function pointIdentity(point: usize): void {
  feSet(point, 0);
  feSet(point + FE, 1);
  feSet(point + 2 * FE, 1);
  feSet(point + 3 * FE, 0);
}

/** r = p + q, both extended (9 multiplications). r may be p. Uses T0..T7. */
function pointAdd(r: usize, p: usize, q: usize): void {
  const a = T0, b = T1, c = T2, d = T3;
  feSub(a, p + FE, p);
  feSub(b, q + FE, q);
  feMul(a, a, b); // A = (Y1 - X1)(Y2 - X2)
  feAdd(b, p + FE, p);
  feAdd(c, q + FE, q);
  feMul(b, b, c); // B = (Y1 + X1)(Y2 + X2)
  feMul(c, p + 3 * FE, q + 3 * FE);
  feMul(c, c, D2); // C = 2d·T1·T2
  feMul(d, p + 2 * FE, q + 2 * FE);
  feAdd(d, d, d);
  feCarry(d); // D = 2·Z1·Z2
  finishAddition(r, a, b, c, d);
}

/** r = 2·p (4 multiplications, 4 squarings). r may be p. Uses T0..T6. */
function pointDouble(r: usize, p: usize): void {
  const a = T0, b = T1, c = T2, e = T3;
  feSquare(a, p); // X²
  feSquare(b, p + FE); // Y²
  feSquare(c, p + 2 * FE);
  feAdd(c, c, c); // 2·Z²
  feAdd(e, p, p + FE);
  feSquare(e, e);
  feSub(e, e, a);
  feSub(e, e, b);
  feCarry(e); // E = 2XY
  const g = T4, h = T5, f = T6;
  feSub(g, b, a); // G = Y² - X²
  feAdd(h, b, a);
  feNeg(h, h); // H = -X² - Y²
  feSub(f, g, c);
  feCarry(f); // F = G - 2Z²
  feMul(r, e, f);
  feMul(r + FE, g, h);
  feMul(r + 2 * FE, f, g);
  feMul(r + 3 * FE, e, h);
}

/**
 * The last step of an addition from A = (Y1 - X1)(y2 - x2), B = (Y1 + X1)(y2 + x2), C = 2d·T1·T2 and D = 2·Z1·Z2:
 * X3 = EF, Y3 = GH, Z3 = FG, T3 = EH with E = B - A, F = D - C, G = D + C, H = B + A. Overwrites its inputs.
 */
function finishAddition(r: usize, a: usize, b: usize, c: usize, d: usize): void {
  const e = T4, f = T5, g = T6, h = T7;
  feSub(e, b, a);
  feSub(f, d, c);
  feAdd(g, d, c);
  feAdd(h, b, a);
  feMul(r, e, f);
  feMul(r + FE, g, h);
  feMul(r + 2 * FE, f, g);
  feMul(r + 3 * FE, e, h);
}

/** Expands a table's packed (32-bit) limbs. */
function feUnpack(h: usize, packed: usize): void {
  for (let i: usize = 0; i < 10; i++) store<i64>(h + (i << 3), <i64>load<i32>(packed + (i << 2)));
}

/** Packs a reduced field element (every limb below 2^26) into 32-bit limbs. */
function fePack(packed: usize, f: usize): void {
  for (let i: usize = 0; i < 10; i++) store<i32>(packed + (i << 2), <i32>load<i64>(f + (i << 3)));
}

/**
 * acc += sign·entry, for a table entry (y + x, y - x, 2d·x·y) (7 multiplications). Uses T0..T7 and the NIELS
 * scratch.
 */
function pointAddEntry(acc: usize, entry: usize, negative: bool): void {
  // -P = (-x, y): y + x and y - x trade places, 2d·x·y changes sign.
  feUnpack(NIELS_Y_PLUS_X, negative ? entry + PACKED_FE : entry);
  feUnpack(NIELS_Y_MINUS_X, negative ? entry : entry + PACKED_FE);
  feUnpack(NIELS_XY2D, entry + 2 * PACKED_FE);
  const a = T0, b = T1, c = T2, d = T3;
  feSub(a, acc + FE, acc);
  feMul(a, a, NIELS_Y_MINUS_X);
  feAdd(b, acc + FE, acc);
  feMul(b, b, NIELS_Y_PLUS_X);
  feMul(c, acc + 3 * FE, NIELS_XY2D);
  if (negative) feNeg(c, c);
  feAdd(d, acc + 2 * FE, acc + 2 * FE);
  feCarry(d);
  finishAddition(acc, a, b, c, d);
}

/** Writes the 32 signed digits in [-128, 127] of a scalar below 2^253 (32 little-endian bytes): Σ digit·256^i. */
function recode(digits: usize, scalar: usize): void {
  let carry: i32 = 0;
  for (let i: usize = 0; i < WINDOWS; i++) {
    let digit = <i32>load<u8>(scalar + i) + carry;
    carry = digit >= 128 ? 1 : 0;
    digit -= carry << 8;
    store<i8>(digits + i, <i8>digit);
  }
}

/** acc += [scalar]·P for the point P of a table, from the scalar's digits. */
function multiplyAdd(acc: usize, table: usize, digits: usize): void {
  for (let window: usize = 0; window < WINDOWS; window++) {
    const digit = <i32>load<i8>(digits + window);
    if (digit == 0) continue;
    const multiple = <usize>(digit > 0 ? digit : -digit) - 1;
    pointAddEntry(acc, table + (window * MULTIPLES + multiple) * TABLE_POINT, digit < 0);
  }
}

/**
 * Fills a table with m·256^w·P from the extended point P (destroyed): per window, the 128 multiples by repeated
 * addition, made affine with one inversion (running products), then P = 256·P by doubling the 128th.
 */
function buildTable(table: usize, point: usize): void {
  for (let window: usize = 0; window < WINDOWS; window++) {
    const row = table + window * MULTIPLES * TABLE_POINT;
    memory.copy(multiples, point, POINT);
    for (let m: usize = 1; m < MULTIPLES; m++) pointAdd(multiples + m * POINT, multiples + (m - 1) * POINT, point);
    // products[m] = Z_0 · … · Z_m; then walk back with the inverse of the full product.
    feCopy(products, multiples + 2 * FE);
    for (let m: usize = 1; m < MULTIPLES; m++) feMul(products + m * FE, products + (m - 1) * FE, multiples + m * POINT + 2 * FE);
    const inverse = INVERSE, zInverse = Z_INVERSE, x = AFFINE_X, y = AFFINE_Y, sum = SUM;
    feInvert(inverse, products + (MULTIPLES - 1) * FE);
    for (let m = <isize>MULTIPLES - 1; m >= 0; m--) {
      const multiple = multiples + <usize>m * POINT;
      if (m > 0) {
        feMul(zInverse, inverse, products + <usize>(m - 1) * FE);
        feMul(inverse, inverse, multiple + 2 * FE);
      } else {
        feCopy(zInverse, inverse);
      }
      feMul(x, multiple, zInverse);
      feMul(y, multiple + FE, zInverse);
      const entry = row + <usize>m * TABLE_POINT;
      feAdd(sum, y, x);
      feCarry(sum);
      fePack(entry, sum);
      feSub(sum, y, x);
      feCarry(sum);
      fePack(entry + PACKED_FE, sum);
      feMul(sum, x, y);
      feMul(sum, sum, D2);
      fePack(entry + 2 * PACKED_FE, sum);
    }
    pointDouble(point, multiples + (MULTIPLES - 1) * POINT); // 256·P
  }
}

// ---- exports ----

/**
 * Lays out memory for `keyTables` key tables besides the base point's, and builds the base point's table. Returns
 * the offset of the records area ({@link recordsCapacity} bytes; see {@link verifyBatch}).
 */
export function init(keyTables: i32): usize {
  if (keyTables < 1) unreachable();
  feFromBytes(D, D_BYTES);
  feAdd(D2, D, D);
  feCarry(D2);
  feFromBytes(SQRT_M1, SQRT_M1_BYTES);
  let next = (__heap_base + 15) & ~15;
  records = next;
  next += RECORDS_BYTES;
  verdicts = next;
  next += BATCH;
  hashInput = next;
  next += 64 + RECORDS_BYTES;
  next = (next + 15) & ~15;
  offsets = next;
  next += BATCH * 4;
  results = next;
  next += BATCH * 3 * FE;
  products = next;
  next += max<usize>(BATCH, MULTIPLES) * FE;
  multiples = next;
  next += MULTIPLES * POINT;
  tableCount = keyTables + 1;
  keys = next;
  next += <usize>tableCount * 32;
  valid = next;
  next += <usize>tableCount;
  next = (next + 15) & ~15;
  tables = next;
  next += <usize>tableCount * TABLE;
  const pages = <i32>((next + 0xffff) >> 16) - memory.size();
  if (pages > 0 && memory.grow(pages) < 0) unreachable();
  pointDecode(DECODED, BASE_BYTES);
  buildTable(tables, DECODED);
  return records;
}

/** Bytes of the records area. */
export function recordsCapacity(): i32 {
  return <i32>RECORDS_BYTES;
}

/** Records per {@link verifyBatch} call at most. */
export function batchCapacity(): i32 {
  return <i32>BATCH;
}

/** Where the verdicts of {@link verifyBatch} are written. */
export function verdictsOffset(): usize {
  return verdicts;
}

/**
 * Builds table `index` (1 ≤ index ≤ keyTables) for the public key whose 32 bytes are at the start of the records
 * area. False when they are not a curve point: every signature verified with the table is then invalid.
 */
export function setKey(index: i32): bool {
  if (index < 1 || index >= tableCount) unreachable();
  memory.copy(keys + <usize>index * 32, records, 32);
  const isPoint = pointDecode(DECODED, records);
  store<u8>(valid + <usize>index, isPoint ? 1 : 0);
  if (!isPoint) return false;
  feNeg(DECODED, DECODED); // -A = (-x, y)
  feNeg(DECODED + 3 * FE, DECODED + 3 * FE);
  buildTable(tables + <usize>index * TABLE, DECODED);
  return true;
}

/**
 * Verifies `count` (≤ BATCH) records packed from the start of the records area, each: table index (u32 LE),
 * message length (u32 LE), A (32), R (32), S (32), the message. Writes each verdict (1: A is the table's key, a
 * point, and the encoding of [S]B + [k](-A) equals R, with k = SHA-512(R ‖ A ‖ message) mod L) to the verdicts. The
 * caller has applied the strict pre-checks (S < L in particular). The Z coordinates are inverted together: one
 * inversion per batch.
 */
export function verifyBatch(count: i32): void {
  if (count < 0 || <usize>count > BATCH) unreachable();
  const n = <usize>count;
  let record = records;
  for (let i: usize = 0; i < n; i++) {
    const index = load<u32>(record);
    const length = <usize>load<u32>(record, 4);
    if (index < 1 || index >= <u32>tableCount || record + RECORD_HEADER + length > records + RECORDS_BYTES) unreachable();
    const start = record;
    store<u32>(offsets + (i << 2), <u32>start);
    record += RECORD_HEADER + length;
    const usable = load<u8>(valid + <usize>index) == 1 && memory.compare(start + 8, keys + <usize>index * 32, 32) == 0;
    store<u8>(verdicts + i, usable ? 1 : 0);
    if (!usable) {
      pointIdentity(ACC); // a placeholder with Z = 1; the verdict stays 0
      memory.copy(results + i * 3 * FE, ACC, 3 * FE);
      if (i == 0) feCopy(products, ACC + 2 * FE);
      else feCopy(products + i * FE, products + (i - 1) * FE);
      continue;
    }
    memory.copy(hashInput, start + 40, 32); // R
    memory.copy(hashInput + 32, start + 8, 32); // A
    memory.copy(hashInput + 64, start + RECORD_HEADER, length);
    sha512(DIGEST, hashInput, 64 + length);
    scalarReduce(CHALLENGE, DIGEST);
    recode(DIGITS_S, start + 72);
    recode(DIGITS_K, CHALLENGE);
    pointIdentity(ACC);
    multiplyAdd(ACC, tables, DIGITS_S);
    multiplyAdd(ACC, tables + <usize>index * TABLE, DIGITS_K);
    memory.copy(results + i * 3 * FE, ACC, 3 * FE);
    const z = ACC + 2 * FE;
    if (i == 0) feCopy(products, z);
    else feMul(products + i * FE, products + (i - 1) * FE, z);
  }
  if (n == 0) return;
  const inverse = INVERSE, zInverse = Z_INVERSE, x = AFFINE_X, y = AFFINE_Y;
  feInvert(inverse, products + (n - 1) * FE);
  for (let i = <isize>n - 1; i >= 0; i--) {
    const result = results + <usize>i * 3 * FE;
    if (i > 0) {
      feMul(zInverse, inverse, products + <usize>(i - 1) * FE);
      feMul(inverse, inverse, result + 2 * FE);
    } else {
      feCopy(zInverse, inverse);
    }
    feMul(x, result, zInverse);
    feMul(y, result + FE, zInverse);
    feToBytes(AFFINE_BYTES, y);
    if (feIsOdd(x)) store<u8>(AFFINE_BYTES + 31, load<u8>(AFFINE_BYTES + 31) | 0x80);
    const record = <usize>load<u32>(offsets + (<usize>i << 2));
    const matches = load<u8>(verdicts + <usize>i) == 1 && memory.compare(AFFINE_BYTES, record + 40, 32) == 0;
    store<u8>(verdicts + <usize>i, matches ? 1 : 0);
  }
}
