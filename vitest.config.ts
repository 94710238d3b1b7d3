import { existsSync, readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

// One vitest project per workspace folder that has a `test/` directory.
// Tests run on TypeScript sources: the `@docs/source` export condition points every
// workspace package at its `src/index.ts`, so `pnpm test` needs no prior build.
const folders = ['packages', 'examples']
  .flatMap((parent) =>
    existsSync(parent) ? readdirSync(parent).map((name) => `${parent}/${name}`) : [],
  )
  .concat('bench')
  .filter((dir) => existsSync(`${dir}/test`));

export default defineConfig({
  resolve: { conditions: ['@docs/source'] },
  ssr: { resolve: { conditions: ['@docs/source'] } },
  test: {
    // The JSON report is what `.ci/run` counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-report.json' },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: folders.map((root) => ({
      extends: true,
      test: { name: root.replace(/^(packages|examples)\//, ''), root, include: ['test/**/*.test.ts'] },
    })),
  },
});
