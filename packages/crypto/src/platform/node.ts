import { createHash, hash } from 'blake3-wasm';
import { createNodeEd25519 } from '../ed25519-node.js';
import type { Ed25519 } from '../ed25519.js';
import type { Blake3State, Platform } from './platform.js';

/** A plain Uint8Array over the memory of a Node Buffer (blake3-wasm allocates them unpooled). */
function viewOfBuffer(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

let nativeBackend: Ed25519 | undefined | null = null; // null: not probed yet

/**
 * Node: BLAKE3 from blake3-wasm's Node build (WebAssembly), Ed25519 from node:crypto.
 */
export const platform: Platform = {
  name: 'node',
  blake3(data: Uint8Array, outputLength: number): Uint8Array {
    return viewOfBuffer(hash(data, { length: outputLength }) as Buffer);
  },
  createBlake3State(): Blake3State {
    const hasher = createHash();
    return {
      update(data: Uint8Array): void {
        hasher.update(data);
      },
      digest(outputLength: number): Uint8Array {
        return viewOfBuffer(hasher.digest({ length: outputLength }));
      },
      dispose(): void {
        hasher.dispose();
      },
    };
  },
  nativeEd25519(): Ed25519 | undefined {
    if (nativeBackend === null) nativeBackend = createNodeEd25519();
    return nativeBackend;
  },
};
