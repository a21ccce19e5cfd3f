/**
 * The scenario registry: name → builder. Every builder is deterministic in (seed, domain, params).
 */
import { buildCorridor } from './corridor.js';
import { buildForest } from './forest.js';
import { buildSlalom } from './slalom.js';
import { buildWallGap } from './wallGap.js';
import type { Scenario, ScenarioOptions } from './scenario.js';

export type { Scenario, ScenarioOptions } from './scenario.js';
export { DOMAIN_A, DOMAIN_B, DOMAIN_NAMES, domainPreset, type DomainName, type DomainPreset } from './domains.js';

const BUILDERS: Readonly<Record<string, (opts: ScenarioOptions) => Scenario>> = {
  forest: buildForest,
  corridor: buildCorridor,
  'wall-gap': buildWallGap,
  slalom: buildSlalom,
};

export const SCENARIO_NAMES: readonly string[] = Object.keys(BUILDERS);

export function buildScenario(name: string, opts: ScenarioOptions): Scenario {
  const build = BUILDERS[name];
  if (!build) throw new Error(`unknown scenario '${name}' (known: ${SCENARIO_NAMES.join(', ')})`);
  return build(opts);
}
