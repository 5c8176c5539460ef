// NodeResourcesFitArgs: decoding from the pluginConfig object, v1 defaults
// (SetDefaults_NodeResourcesFitArgs) and validation (ValidateNodeResourcesFitArgs).
import { DEFAULT_RESOURCES, type ResourceSpec } from './resource_allocation.js';
import { MAX_CUSTOM_PRIORITY_SCORE, type UtilizationShapePoint } from './requested_to_capacity_ratio.js';
import { field, throwAggregate, validateLabelName } from './validation.js';

export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
export const SCORING_STRATEGY_TYPES: readonly ScoringStrategyType[] = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

export interface ScoringStrategy {
  type: string;
  resources: ResourceSpec[];
  requestedToCapacityRatio?: { shape: UtilizationShapePoint[] };
}

export interface NodeResourcesFitArgs {
  ignoredResources: string[];
  ignoredResourceGroups: string[];
  scoringStrategy: ScoringStrategy;
}

// ---- decoding (a malformed object is a config error, reported like a YAML decode error) ----------

function fail(path: string, want: string, kind = 'NodeResourcesFitArgs'): never {
  throw new Error(`decoding ${kind}: ${path}: expected ${want}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function stringList(v: unknown, path: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) fail(path, 'a list of strings');
  return [...(v as string[])];
}

function int(v: unknown, path: string, kind?: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(path, 'an integer', kind);
  return v;
}

/** Decodes a `resources` list ({name, weight}); an unset weight reads as 0 (defaulted to 1 later). */
export function resourceSpecs(v: unknown, path: string, kind = 'NodeResourcesFitArgs'): ResourceSpec[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'a list', kind);
  return v.map((r, i) => {
    if (!isRecord(r) || typeof r['name'] !== 'string') fail(`${path}[${i}]`, 'an object with a string name', kind);
    return { name: r['name'], weight: int(r['weight'], `${path}[${i}].weight`, kind) };
  });
}

function decodeStrategy(v: unknown): ScoringStrategy | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isRecord(v)) fail('scoringStrategy', 'an object');
  const type = v['type'] ?? '';
  if (typeof type !== 'string') fail('scoringStrategy.type', 'a string');
  const s: ScoringStrategy = { type, resources: resourceSpecs(v['resources'], 'scoringStrategy.resources') };
  const r = v['requestedToCapacityRatio'];
  if (r !== undefined && r !== null) {
    if (!isRecord(r)) fail('scoringStrategy.requestedToCapacityRatio', 'an object');
    const shape = r['shape'] ?? [];
    if (!Array.isArray(shape)) fail('scoringStrategy.requestedToCapacityRatio.shape', 'a list');
    s.requestedToCapacityRatio = {
      shape: shape.map((p, i) => {
        const at = `scoringStrategy.requestedToCapacityRatio.shape[${i}]`;
        if (!isRecord(p)) fail(at, 'an object');
        return { utilization: int(p['utilization'], `${at}.utilization`), score: int(p['score'], `${at}.score`) };
      }),
    };
  }
  return s;
}

// ---- defaults and validation ----------------------------------------------------------------

/** Decodes, applies v1 defaults and validates; throws with upstream's messages on bad args. */
export function parseFitArgs(raw: Record<string, unknown> | undefined): NodeResourcesFitArgs {
  const o = raw ?? {};
  const strategy = decodeStrategy(o['scoringStrategy']) ?? { type: 'LeastAllocated', resources: [] };
  if (strategy.resources.length === 0) strategy.resources = DEFAULT_RESOURCES.map((r) => ({ ...r }));
  for (const r of strategy.resources) if (r.weight === 0) r.weight = 1;
  const args: NodeResourcesFitArgs = {
    ignoredResources: stringList(o['ignoredResources'], 'ignoredResources'),
    ignoredResourceGroups: stringList(o['ignoredResourceGroups'], 'ignoredResourceGroups'),
    scoringStrategy: strategy,
  };
  validateFitArgs(args);
  return args;
}

export function validateFunctionShape(shape: readonly UtilizationShapePoint[], path: string): string[] {
  if (shape.length === 0) return [field.required(path, 'at least one point must be specified')];
  const errs: string[] = [];
  for (let i = 1; i < shape.length; i++) {
    if (shape[i - 1]!.utilization >= shape[i]!.utilization) {
      errs.push(field.invalid(`${path}[${i}].utilization`, shape[i]!.utilization, 'values must be sorted in increasing order'));
      break;
    }
  }
  shape.forEach((p, i) => {
    if (p.utilization < 0 || p.utilization > 100) errs.push(field.invalid(`${path}[${i}].utilization`, p.utilization, 'not in valid range [0, 100]'));
    if (p.score < 0 || p.score > MAX_CUSTOM_PRIORITY_SCORE) errs.push(field.invalid(`${path}[${i}].score`, p.score, `not in valid range [0, ${MAX_CUSTOM_PRIORITY_SCORE}]`));
  });
  return errs;
}

export function validateFitArgs(args: NodeResourcesFitArgs): void {
  const errs: string[] = [];
  args.ignoredResources.forEach((r, i) => errs.push(...validateLabelName(r, `ignoredResources[${i}]`)));
  args.ignoredResourceGroups.forEach((g, i) => {
    const p = `ignoredResourceGroups[${i}]`;
    if (g.includes('/')) errs.push(field.invalid(p, g, "resource group name can't contain '/'"));
    errs.push(...validateLabelName(g, p));
  });
  const s = args.scoringStrategy;
  if (!(SCORING_STRATEGY_TYPES as readonly string[]).includes(s.type)) errs.push(field.notSupported('scoringStrategy.type', s.type, SCORING_STRATEGY_TYPES));
  s.resources.forEach((r, i) => {
    if (r.weight <= 0 || r.weight > 100) errs.push(field.invalid(`scoringStrategy.resources[${i}].weight`, r.weight, `resource weight of ${r.name} not in valid range (0, 100]`));
  });
  if (s.type === 'RequestedToCapacityRatio') {
    if (!s.requestedToCapacityRatio) errs.push(field.required('scoringStrategy.requestedToCapacityRatio', 'must be specified when type is RequestedToCapacityRatio'));
    else errs.push(...validateFunctionShape(s.requestedToCapacityRatio.shape, 'scoringStrategy.requestedToCapacityRatio.shape'));
  } else if (s.requestedToCapacityRatio) {
    errs.push(field.forbidden('scoringStrategy.requestedToCapacityRatio', 'must be nil when type is not RequestedToCapacityRatio'));
  }
  throwAggregate(errs);
}
