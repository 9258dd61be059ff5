// Filters by name. An unknown name lists the valid ones; params are validated with each filter's schema.
import { CurateConfigError } from '../errors.js';
import { basicFilter } from './basic.js';
import { blocklistFilter } from './blocklist.js';
import { type CurateFilter, type FilterDefinition, type FilterDeps } from './filter.js';
import { hygieneFilter } from './hygiene.js';
import { imageSizeFilter } from './image-size.js';
import { modelScoreFilter } from './model-score.js';

const registry = new Map<string, FilterDefinition>(
  [basicFilter, hygieneFilter, blocklistFilter, imageSizeFilter, modelScoreFilter].map((d) => [
    d.name,
    d as FilterDefinition,
  ]),
);

/** Names of every registered filter. */
export function filterNames(): string[] {
  return [...registry.keys()].sort();
}

/** Registers another filter (e.g. from a plugin); refuses to replace an existing name. */
export function registerFilter(def: FilterDefinition): void {
  if (registry.has(def.name))
    throw new CurateConfigError('a filter with this name is already registered', `filters.${def.name}`);
  registry.set(def.name, def);
}

/** The definition of a filter by name; an unknown name lists the valid ones. */
export function getFilter(name: string): FilterDefinition {
  const def = registry.get(name);
  if (!def)
    throw new CurateConfigError(`unknown filter "${name}"; valid filters: ${filterNames().join(', ')}`, 'filters');
  return def;
}

/** Validates a filter's params against its schema (errors name the field) without creating it. */
export function validateFilterParams(name: string, params: unknown, index: number): unknown {
  const parsed = getFilter(name).params.safeParse(params);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = [`filters[${index}]`, ...issue.path.map(String)].join('.');
    throw new CurateConfigError(`${name}: ${issue.message}`, field);
  }
  return parsed.data;
}

/** Creates configured filters in order. */
export function createFilters(
  specs: readonly { name: string; params: unknown }[],
  deps: FilterDeps = {},
): CurateFilter[] {
  return specs.map((s, i) => getFilter(s.name).create(validateFilterParams(s.name, s.params, i), deps));
}
