/**
 * Known answers a native Ed25519 implementation must reproduce before it is used: RFC 8032 §7.1
 * test 1 (sign and verify), and rejection of a signature whose R is a mixed-order point (a large-order
 * point plus a point of order 8). That signature satisfies the cofactored equation
 * `[8][S]B = [8]R + [8][k]A` but not the cofactorless one `[S]B = R + [k]A`, so an implementation that
 * verifies with the cofactor would disagree with the strict rule and is not used.
 */

function fromHex(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => parseInt(pair, 16));
}

/** RFC 8032 §7.1 test 1 seed. */
export const PROBE_SEED: Uint8Array = fromHex(
  '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
);
/** Public key of {@link PROBE_SEED}. */
export const PROBE_PUBLIC_KEY: Uint8Array = fromHex(
  'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
);
/** RFC 8032 §7.1 test 1 message (empty). */
export const PROBE_MESSAGE: Uint8Array = new Uint8Array(0);
/** RFC 8032 §7.1 test 1 signature of {@link PROBE_MESSAGE} under {@link PROBE_SEED}. */
export const PROBE_SIGNATURE: Uint8Array = fromHex(
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
);
/** Message of the mixed-order-R probe: `@docs/crypto strict probe: mixed-order R`. */
export const MIXED_ORDER_PROBE_MESSAGE: Uint8Array = fromHex(
  '40646f63732f63727970746f207374726963742070726f62653a206d697865642d6f726465722052',
);
/**
 * Signature under {@link PROBE_PUBLIC_KEY} with R = [r]B + T (T of order 8) and S = r + k·a, where
 * k = SHA-512(R || A || M): valid under the cofactored equation only. The strict rule rejects it.
 */
export const MIXED_ORDER_PROBE_SIGNATURE: Uint8Array = fromHex(
  'eab9758ee9df464e69eda68af8c0a80bd5f0ffdaccd72c87bea44ecc99064a20f88c0a57600c371835b88fe202017028fb3a0b02d455a09766e00c0764a2940e',
);
