import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer, type Rolldown } from 'vite';

const EXAMPLE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Module ids that mean a Node built-in (or the native LevelDB binding) got into a browser bundle. */
const NODE_ONLY_MODULE = /__vite-browser-external|^node:|[\\/]node_modules[\\/](classic-level|node-gyp-build|ws)[\\/]/;

/** A vite build of the example, served by `vite preview` on 127.0.0.1. */
export interface ServedPages {
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  readonly origin: string;
  /** Every module id in the bundle. */
  readonly modules: readonly string[];
  /** The module ids in the bundle that only Node can run (must be none). */
  readonly nodeOnlyModules: readonly string[];
  close(): Promise<void>;
}

/**
 * Builds the example with vite into a temporary directory and serves it with `vite preview`: mode
 * `'production'` is the notes page (`index.html`), mode `'test'` the conformance page (`conformance.html`).
 */
export async function buildAndServe(mode: 'production' | 'test'): Promise<ServedPages> {
  const outDir = mkdtempSync(join(tmpdir(), `docs-browser-${mode}-`));
  const common = { root: EXAMPLE_ROOT, configFile: join(EXAMPLE_ROOT, 'vite.config.ts'), mode, logLevel: 'warn' as const };
  const output = (await build({ ...common, build: { outDir, emptyOutDir: true } })) as Rolldown.RolldownOutput;
  const modules = output.output.flatMap((file) => (file.type === 'chunk' ? file.moduleIds : []));
  let server: PreviewServer;
  try {
    server = await preview({ ...common, build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: true, open: false } });
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    throw error;
  }
  const { port } = server.httpServer.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    modules,
    nodeOnlyModules: modules.filter((id) => NODE_ONLY_MODULE.test(id)),
    async close() {
      await server.close();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
