import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const require = createRequire(import.meta.url);
const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * blake3-wasm's browser build finds its WebAssembly with `import.meta.url.replace(/\.js$/, '_bg.wasm')`, a
 * pattern bundlers do not follow. Rewriting it to `new URL('./blake3_js_bg.wasm', import.meta.url)` lets vite
 * emit the file as an asset and point at it, in dev and in builds.
 */
function blake3WasmUrl(): Plugin {
  return {
    name: 'docs:blake3-wasm-url',
    enforce: 'pre',
    transform(code, id) {
      const path = id.split('?')[0]!.replaceAll('\\', '/');
      if (!path.endsWith('blake3-wasm/dist/wasm/web/blake3_js.js')) return undefined;
      const rewritten = code.replace(
        "import.meta.url.replace(/\\.js$/, '_bg.wasm')",
        "new URL('./blake3_js_bg.wasm', import.meta.url)",
      );
      if (rewritten === code) this.error('blake3-wasm: the WebAssembly URL pattern was not found (a new blake3-wasm version?)');
      return { code: rewritten, map: null };
    },
  };
}

export default defineConfig(({ mode }) => ({
  resolve: {
    // Bundle the workspace packages from their TypeScript sources, with their browser entry points.
    conditions: ['@docs/source', ...defaultClientConditions],
    alias: [
      // abstract-level extends Node's EventEmitter; browsers get the `events` package instead.
      { find: /^events$/, replacement: require.resolve('events/') },
      // The test page runs @docs/store's conformance suite with a small in-page runner.
      ...(mode === 'test' ? [{ find: /^vitest$/, replacement: here('./test-page/vitest-shim.ts') }] : []),
    ],
  },
  plugins: [blake3WasmUrl()],
  // The dev server's dependency pre-bundling would move blake3-wasm away from its .wasm and skip the plugin.
  optimizeDeps: { exclude: ['blake3-wasm'] },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: mode === 'test' ? { conformance: here('./conformance.html') } : { main: here('./index.html') },
    },
  },
}));
