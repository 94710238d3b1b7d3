// A module resolve hook: resolves every import with the `@docs/source` export condition first, as
// `node --conditions=@docs/source` would.
const CONDITION = '@docs/source';

export async function resolve(specifier, context, nextResolve) {
  const conditions = context.conditions.includes(CONDITION) ? context.conditions : [CONDITION, ...context.conditions];
  return nextResolve(specifier, { ...context, conditions });
}
