import * as blake3Browser from 'blake3-wasm/browser-async.js';
import type * as Blake3BrowserApi from 'blake3-wasm/esm/browser/index.js';
import { createWebCryptoEd25519 } from '../ed25519-webcrypto.js';
import type { Blake3State, Platform } from './platform.js';

/** blake3-wasm/browser-async's `load`: without an argument it fetches `blake3_js_bg.wasm` next to its module. */
type LoadBlake3 = (wasmModule?: string | URL | Request | object) => Promise<typeof Blake3BrowserApi>;
// browser-async.js is an ES module (bundlers and browsers read its `export default load`), but
// TypeScript reads its declarations as CommonJS because blake3-wasm's package.json has no "type".
const loadBlake3 = blake3Browser.default as unknown as LoadBlake3;

// The browser build needs its WebAssembly module loaded before the first hash (the bundler must serve
// `blake3-wasm/dist/wasm/web/blake3_js_bg.wasm`). Both awaits run once, when this module is imported.
const blake3 = await loadBlake3();
const nativeBackend = await createWebCryptoEd25519();

/** A plain Uint8Array over the memory of blake3-wasm's `Hash` (a Uint8Array subclass). */
function plainView(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Browsers: BLAKE3 from blake3-wasm's browser build (WebAssembly), Ed25519 from WebCrypto when
 * `crypto.subtle` supports it and answers the probe vectors like the strict rule.
 */
export const platform: Platform = {
  name: 'browser',
  blake3(data: Uint8Array, outputLength: number): Uint8Array {
    return plainView(blake3.hash(data, { length: outputLength }));
  },
  createBlake3State(): Blake3State {
    const hasher = blake3.createHash();
    return {
      update(data: Uint8Array): void {
        hasher.update(data);
      },
      digest(outputLength: number): Uint8Array {
        return plainView(hasher.digest({ length: outputLength }));
      },
      dispose(): void {
        hasher.dispose();
      },
    };
  },
  nativeEd25519() {
    return nativeBackend;
  },
};
