#!/usr/bin/env node
// Runs the CLI from its TypeScript sources (no build step): tsx compiles them, and a resolve hook adds the
// `@docs/source` export condition so that the workspace packages resolve to their sources too.
import { register } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

// `pnpm run docs …` runs in the repository root: work from where the user typed it.
if (process.env.npm_lifecycle_event === 'docs' && process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

registerTsx();
register('./source-condition.js', import.meta.url);
await import('../src/main.ts');
