// Reading --config: YAML → KubeSchedulerConfiguration with upstream's v1 defaults, then each
// profile's plugins resolved per extension point (default MultiPoint set, the user's MultiPoint
// changes, then per-point enabled/disabled lists, as upstream's plugin merging).
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { EXTENSION_POINTS, type ExtensionPoint, type KubeSchedulerConfiguration, type PluginRef, type PluginSet, type Plugins, type Profile } from './types.js';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const API_VERSION = 'kubescheduler.config.k8s.io/v1';

/** Upstream v1 getDefaultPlugins (MultiPoint), minus the volume plugins this scheduler does not have. */
export const DEFAULT_MULTIPOINT: PluginRef[] = [
  { name: 'SchedulingGates' },
  { name: 'PrioritySort' },
  { name: 'NodeUnschedulable' },
  { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 },
  { name: 'NodeAffinity', weight: 2 },
  { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 },
  { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 },
  { name: 'DefaultPreemption' },
  { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 },
  { name: 'DefaultBinder' },
];

export class ConfigError extends Error {}

function durationOk(s: string): boolean { return /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(s); }

/** Go duration string → ms. */
export function parseDuration(s: string): number {
  if (!durationOk(s)) throw new ConfigError(`invalid duration "${s}"`);
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let ms = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(m[1]) * unit[m[2]!]!;
  return ms;
}

export function defaultConfig(): KubeSchedulerConfiguration {
  return {
    apiVersion: API_VERSION,
    kind: 'KubeSchedulerConfiguration',
    parallelism: 16,
    leaderElection: {
      leaderElect: true, leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s',
      resourceLock: 'leases', resourceName: 'kube-scheduler', resourceNamespace: 'kube-system',
    },
    clientConnection: { kubeconfig: '', qps: 50, burst: 100 },
    percentageOfNodesToScore: 0,
    podInitialBackoffSeconds: 1,
    podMaxBackoffSeconds: 10,
    profiles: [{ schedulerName: DEFAULT_SCHEDULER_NAME }],
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and defaults a KubeSchedulerConfiguration document; throws ConfigError with the field at fault. */
export function parseConfig(text: string): KubeSchedulerConfiguration {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) { throw new ConfigError(`couldn't decode as KubeSchedulerConfiguration: ${(e as Error).message}`); }
  if (!isObj(doc)) throw new ConfigError('couldn\'t decode as KubeSchedulerConfiguration: not an object');
  if (doc.kind !== 'KubeSchedulerConfiguration') throw new ConfigError(`no kind "${String(doc.kind)}" is registered for version "${String(doc.apiVersion)}"`);
  if (doc.apiVersion !== API_VERSION) throw new ConfigError(`no kind "KubeSchedulerConfiguration" is registered for version "${String(doc.apiVersion)}"`);
  const cfg = defaultConfig();
  if (typeof doc.parallelism === 'number') cfg.parallelism = doc.parallelism;
  if (isObj(doc.leaderElection)) Object.assign(cfg.leaderElection, doc.leaderElection);
  if (isObj(doc.clientConnection)) Object.assign(cfg.clientConnection, doc.clientConnection);
  if (typeof doc.percentageOfNodesToScore === 'number') cfg.percentageOfNodesToScore = doc.percentageOfNodesToScore;
  if (typeof doc.podInitialBackoffSeconds === 'number') cfg.podInitialBackoffSeconds = doc.podInitialBackoffSeconds;
  if (typeof doc.podMaxBackoffSeconds === 'number') cfg.podMaxBackoffSeconds = doc.podMaxBackoffSeconds;
  if (Array.isArray(doc.profiles) && doc.profiles.length) {
    cfg.profiles = doc.profiles.map((p, i): Profile => {
      if (!isObj(p)) throw new ConfigError(`profiles[${i}]: must be an object`);
      const prof: Profile = { schedulerName: typeof p.schedulerName === 'string' && p.schedulerName ? p.schedulerName : DEFAULT_SCHEDULER_NAME };
      if (typeof p.percentageOfNodesToScore === 'number') prof.percentageOfNodesToScore = p.percentageOfNodesToScore;
      if (isObj(p.plugins)) prof.plugins = p.plugins as Plugins;
      if (Array.isArray(p.pluginConfig)) prof.pluginConfig = p.pluginConfig as Profile['pluginConfig'];
      return prof;
    });
  }
  validateConfig(cfg);
  return cfg;
}

export function loadConfigFile(path: string): KubeSchedulerConfiguration {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new ConfigError(`failed to read config file "${path}": ${(e as Error).message}`); }
  return parseConfig(text);
}

/** Upstream ValidateKubeSchedulerConfiguration, for the fields we read. */
export function validateConfig(c: KubeSchedulerConfiguration): void {
  const errs: string[] = [];
  if (c.parallelism <= 0) errs.push(`parallelism: Invalid value: ${c.parallelism}: should be an integer value greater than zero`);
  if (c.percentageOfNodesToScore < 0 || c.percentageOfNodesToScore > 100) errs.push(`percentageOfNodesToScore: Invalid value: ${c.percentageOfNodesToScore}: not in valid range [0-100]`);
  if (c.podInitialBackoffSeconds <= 0) errs.push(`podInitialBackoffSeconds: Invalid value: ${c.podInitialBackoffSeconds}: must be greater than 0`);
  if (c.podMaxBackoffSeconds < c.podInitialBackoffSeconds) errs.push(`podMaxBackoffSeconds: Invalid value: ${c.podMaxBackoffSeconds}: must be greater than or equal to PodInitialBackoffSeconds`);
  for (const k of ['leaseDuration', 'renewDeadline', 'retryPeriod'] as const) {
    if (!durationOk(c.leaderElection[k])) errs.push(`leaderElection.${k}: Invalid value: "${c.leaderElection[k]}": must be a duration`);
  }
  const names = new Set<string>();
  c.profiles.forEach((p, i) => {
    if (names.has(p.schedulerName)) errs.push(`profiles[${i}].schedulerName: Duplicate value: "${p.schedulerName}"`);
    names.add(p.schedulerName);
    if (p.percentageOfNodesToScore !== undefined && (p.percentageOfNodesToScore < 0 || p.percentageOfNodesToScore > 100)) {
      errs.push(`profiles[${i}].percentageOfNodesToScore: Invalid value: ${p.percentageOfNodesToScore}: not in valid range [0-100]`);
    }
    const seen = new Set<string>();
    (p.pluginConfig ?? []).forEach((pc, j) => {
      if (seen.has(pc.name)) errs.push(`profiles[${i}].pluginConfig[${j}]: Duplicate value: "${pc.name}"`);
      seen.add(pc.name);
    });
  });
  if (errs.length) throw new ConfigError(errs.join(', '));
}

function mergeSet(base: PluginRef[], custom: PluginSet | undefined): PluginRef[] {
  if (!custom) return [...base];
  const disabled = new Set((custom.disabled ?? []).map((d) => d.name));
  const enabled = custom.enabled ?? [];
  const byName = new Map(enabled.map((e) => [e.name, e]));
  const out: PluginRef[] = [];
  if (!disabled.has('*')) {
    for (const b of base) {
      if (disabled.has(b.name)) continue;
      // A custom entry for a default plugin replaces it in place (e.g. to change its weight).
      const c = byName.get(b.name);
      out.push(c ?? b);
      if (c) byName.delete(b.name);
    }
  }
  for (const e of enabled) if (byName.has(e.name)) out.push(e);
  return out;
}

/**
 * The plugins of each extension point for a profile. `implementsPoint(name, point)` tells which
 * MultiPoint plugins extend which point (known from the plugin instances).
 */
export function resolvePlugins(profile: Profile, implementsPoint: (name: string, point: ExtensionPoint) => boolean): Record<ExtensionPoint, PluginRef[]> {
  const multi = mergeSet(DEFAULT_MULTIPOINT, profile.plugins?.multiPoint);
  const out = {} as Record<ExtensionPoint, PluginRef[]>;
  for (const point of EXTENSION_POINTS) {
    const set = profile.plugins?.[point];
    const disabled = new Set((set?.disabled ?? []).map((d) => d.name));
    const explicit = set?.enabled ?? [];
    // Upstream's order: (1) explicit entries that override a MultiPoint plugin, in their explicit
    // order; (2) the other MultiPoint plugins; (3) plugins enabled at this point only.
    const multiNames = new Set<string>();
    if (!disabled.has('*')) for (const m of multi) if (!disabled.has(m.name) && implementsPoint(m.name, point)) multiNames.add(m.name);
    const explicitNames = new Set(explicit.map((e) => e.name));
    const list: PluginRef[] = [
      ...explicit.filter((e) => multiNames.has(e.name)),
      ...multi.filter((m) => multiNames.has(m.name) && !explicitNames.has(m.name)),
      ...explicit.filter((e) => !multiNames.has(e.name)),
    ];
    out[point] = list;
  }
  return out;
}

/** The adaptive percentage upstream uses when percentageOfNodesToScore is 0. */
export function numFeasibleNodesToFind(percentage: number, numAllNodes: number): number {
  const minFeasible = 100;
  if (numAllNodes < minFeasible) return numAllNodes;
  let pct = percentage;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < 5) pct = 5;
  }
  let n = Math.trunc((numAllNodes * pct) / 100);
  if (n < minFeasible) n = minFeasible;
  return n;
}
