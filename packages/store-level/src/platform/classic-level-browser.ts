import type { AnyAbstractLevel } from '../level-database.js';

/**
 * Browsers have no classic-level (a native LevelDB addon): a store at a path is a programming mistake there, so
 * this throws a TypeError that names the alternative. Keeps classic-level and its Node built-ins out of browser
 * bundles.
 */
export async function classicLevelAt(directory: string): Promise<AnyAbstractLevel> {
  throw new TypeError(
    `a store at a path (${JSON.stringify(directory)}) needs classic-level, which browsers cannot load: ` +
      'open the store with { db } instead, e.g. { db: new BrowserLevel(name) } from browser-level',
  );
}
