import type { AnyAbstractLevel } from '../level-database.js';

/**
 * A classic-level (LevelDB) database in `directory`, not yet opened. classic-level is loaded on first use, so that
 * programs that pass their own database never load its native addon.
 */
export async function classicLevelAt(directory: string): Promise<AnyAbstractLevel> {
  const { ClassicLevel } = await import('classic-level');
  return new ClassicLevel(directory);
}
