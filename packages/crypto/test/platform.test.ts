import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { platform } from '#platform';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));

interface PlatformImportMap {
  imports: { '#platform': { '@docs/source': Record<string, string> } & Record<string, unknown> };
}
const packageJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PlatformImportMap;

/** Runtime import specifiers of a module (type-only imports are erased, so they are skipped). */
function runtimeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const specifiers: string[] = [];
  const patterns = [
    /^\s*import\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gm,
    /^\s*export\s+(?!type\s)[^'"]*?from\s+'([^']+)'/gm,
    /^\s*import\s+'([^']+)'/gm,
    /import\(\s*'([^']+)'\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.push(match[1]!);
  return specifiers;
}

/** Follows runtime imports from `entry`, resolving `#platform` by `condition`; returns files and bare specifiers. */
function moduleGraph(entry: string, condition: 'browser' | 'default'): { files: string[]; packages: string[] } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    for (const specifier of runtimeImports(readFileSync(file, 'utf8'))) {
      if (specifier === '#platform') {
        pending.push(join(PACKAGE_ROOT, packageJson.imports['#platform']['@docs/source'][condition]!));
      } else if (specifier.startsWith('.')) {
        const target = join(dirname(file), specifier);
        const typescript = target.replace(/\.js$/, '.ts');
        pending.push(existsSync(typescript) ? typescript : target);
      } else if (specifier.startsWith('blake3-wasm/')) {
        // Follow into blake3-wasm: its browser build must be free of Node imports too.
        packages.add(specifier);
        pending.push(join(PACKAGE_ROOT, 'node_modules', specifier));
      } else {
        packages.add(specifier);
      }
    }
  }
  return { files: [...files].map((file) => relative(PACKAGE_ROOT, file)).sort(), packages: [...packages].sort() };
}

const NODE_ONLY = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const NODE_GLOBALS = /\b(Buffer|process|require|__dirname|__filename)\b/;

describe('#platform', () => {
  it('resolves to the Node platform here', () => {
    expect(platform.name).toBe('node');
  });

  it('maps the browser condition to the browser module, both for sources and for the build', () => {
    const map = packageJson.imports['#platform'];
    expect(map['@docs/source']).toEqual({ browser: './src/platform/browser.ts', default: './src/platform/node.ts' });
    expect(map['browser']).toBe('./dist/platform/browser.js');
    expect(map['node']).toBe('./dist/platform/node.js');
    expect(map['default']).toBe('./dist/platform/node.js');
    expect(Object.keys(map).indexOf('browser')).toBeLessThan(Object.keys(map).indexOf('node'));
  });
});

describe('the browser build', () => {
  const graph = moduleGraph(join(PACKAGE_ROOT, 'src/index.ts'), 'browser');

  it('reaches the browser platform and WebCrypto, never the Node modules', () => {
    expect(graph.files).toContain('src/platform/browser.ts');
    expect(graph.files).toContain('src/ed25519-webcrypto.ts');
    expect(graph.files).not.toContain('src/platform/node.ts');
    expect(graph.files).not.toContain('src/ed25519-node.ts');
  });

  it('imports no Node built-in module', () => {
    expect(graph.packages.filter((name) => NODE_ONLY.has(name))).toEqual([]);
    expect(graph.packages).toEqual(['@noble/ed25519', '@noble/hashes/sha2.js', 'blake3-wasm/browser-async.js']);
  });

  it('uses no Node global in its own modules or in blake3-wasm browser build', () => {
    const offenders = graph.files.filter((file) => {
      const code = readFileSync(join(PACKAGE_ROOT, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/\/\/.*$/gm, '');
      return NODE_GLOBALS.test(code);
    });
    expect(offenders).toEqual([]);
    expect(graph.files.some((file) => file.includes('blake3-wasm/dist/wasm/web/'))).toBe(true);
  });
});

describe('the Node build (checks that the graph walk sees Node imports)', () => {
  it('reaches node:crypto and blake3-wasm’s Node entry', () => {
    const graph = moduleGraph(join(PACKAGE_ROOT, 'src/index.ts'), 'default');
    expect(graph.packages).toContain('node:crypto');
    expect(graph.packages).toContain('blake3-wasm');
    expect(graph.files).toContain('src/ed25519-node.ts');
  });
});
