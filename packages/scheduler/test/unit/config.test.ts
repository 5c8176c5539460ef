// KubeSchedulerConfiguration loading: upstream apis/config/v1 defaults_test.go (TestSchedulerDefaults),
// default_plugins_test.go (getDefaultPlugins, mergePlugins), validation_test.go messages,
// framework/runtime MultiPoint expansion, and schedule_one_test.go TestNumFeasibleNodesToFind.
import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, DEFAULT_MULTIPOINT, numFeasibleNodesToFind, parseConfig, parseDuration, resolvePlugins } from '../../src/config/load.js';
import type { ExtensionPoint, PluginRef, Profile } from '../../src/config/types.js';
import type { Plugin } from '../../src/framework/interface.js';
import { inTreeRegistry } from '../../src/plugins/registry.js';
import { fakeHandle } from './fixtures.js';

const HEADER = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';

/** The method that marks a plugin as extending a point (as the framework runtime decides). */
const METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
  preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

const instances = new Map<string, Plugin>();
function inTreeImplements(name: string, point: ExtensionPoint): boolean {
  let p = instances.get(name);
  if (!p) {
    const f = inTreeRegistry().get(name);
    if (f) { p = f(undefined, fakeHandle()); instances.set(name, p); }
  }
  if (!p) return name.startsWith('Custom'); // test-only plugins extend every point
  return typeof (p as unknown as Record<string, unknown>)[METHOD[point]] === 'function';
}

const resolve = (plugins?: Profile['plugins']): Record<ExtensionPoint, PluginRef[]> =>
  resolvePlugins({ schedulerName: 'default-scheduler', ...(plugins ? { plugins } : {}) }, inTreeImplements);
const names = (refs: PluginRef[]): string[] => refs.map((r) => r.name);
const weights = (refs: PluginRef[]): Array<[string, number]> => refs.map((r) => [r.name, r.weight ?? 1]);

/** Upstream's default per-point plugins (v1 getDefaultPlugins expanded), minus the volume plugins. */
const DEFAULT_FILTER = ['NodeUnschedulable', 'NodeName', 'TaintToleration', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity'];
const DEFAULT_SCORE: Array<[string, number]> = [
  ['TaintToleration', 3], ['NodeAffinity', 2], ['NodeResourcesFit', 1], ['PodTopologySpread', 2],
  ['InterPodAffinity', 2], ['NodeResourcesBalancedAllocation', 1], ['ImageLocality', 1],
];

describe('parseConfig defaults (TestSchedulerDefaults)', () => {
  it('an empty configuration gets upstream v1 defaults', () => {
    const c = parseConfig(HEADER);
    expect(c).toEqual(defaultConfig());
    expect(c.parallelism).toBe(16);
    expect(c.percentageOfNodesToScore).toBe(0);
    expect(c.podInitialBackoffSeconds).toBe(1);
    expect(c.podMaxBackoffSeconds).toBe(10);
    expect(c.clientConnection).toMatchObject({ qps: 50, burst: 100 });
    expect(c.leaderElection).toEqual({
      leaderElect: true, leaseDuration: '15s', renewDeadline: '10s', retryPeriod: '2s',
      resourceLock: 'leases', resourceName: 'kube-scheduler', resourceNamespace: 'kube-system',
    });
    expect(c.profiles).toEqual([{ schedulerName: 'default-scheduler' }]);
  });

  it('keeps set fields and defaults the rest', () => {
    const c = parseConfig(`${HEADER}parallelism: 8
percentageOfNodesToScore: 30
podInitialBackoffSeconds: 2
podMaxBackoffSeconds: 20
leaderElection:
  leaderElect: false
  resourceName: my-scheduler
clientConnection:
  kubeconfig: /etc/kubernetes/scheduler.conf
  qps: 100
profiles:
  - schedulerName: a
    percentageOfNodesToScore: 50
    plugins:
      score:
        disabled:
          - name: ImageLocality
    pluginConfig:
      - name: NodeResourcesFit
        args:
          scoringStrategy:
            type: MostAllocated
  - {}
`);
    expect(c.parallelism).toBe(8);
    expect(c.percentageOfNodesToScore).toBe(30);
    expect(c.podInitialBackoffSeconds).toBe(2);
    expect(c.podMaxBackoffSeconds).toBe(20);
    expect(c.leaderElection).toMatchObject({ leaderElect: false, resourceName: 'my-scheduler', resourceNamespace: 'kube-system', leaseDuration: '15s' });
    expect(c.clientConnection).toMatchObject({ kubeconfig: '/etc/kubernetes/scheduler.conf', qps: 100, burst: 100 });
    expect(c.profiles[0]).toEqual({
      schedulerName: 'a',
      percentageOfNodesToScore: 50,
      plugins: { score: { disabled: [{ name: 'ImageLocality' }] } },
      pluginConfig: [{ name: 'NodeResourcesFit', args: { scoringStrategy: { type: 'MostAllocated' } } }],
    });
    expect(c.profiles[1]).toEqual({ schedulerName: 'default-scheduler' });
  });

  it('rejects documents that are not a v1 KubeSchedulerConfiguration', () => {
    expect(() => parseConfig('a: [')).toThrow(ConfigError);
    expect(() => parseConfig('- 1')).toThrow("couldn't decode as KubeSchedulerConfiguration");
    expect(() => parseConfig('apiVersion: kubescheduler.config.k8s.io/v1\nkind: Pod\n')).toThrow('no kind "Pod" is registered for version "kubescheduler.config.k8s.io/v1"');
    expect(() => parseConfig('apiVersion: kubescheduler.config.k8s.io/v1beta3\nkind: KubeSchedulerConfiguration\n'))
      .toThrow('no kind "KubeSchedulerConfiguration" is registered for version "kubescheduler.config.k8s.io/v1beta3"');
  });
});

describe('validation (ValidateKubeSchedulerConfiguration)', () => {
  it.each([
    { name: 'parallelism', yaml: 'parallelism: 0', msg: 'parallelism: Invalid value: 0: should be an integer value greater than zero' },
    { name: 'percentage over 100', yaml: 'percentageOfNodesToScore: 110', msg: 'percentageOfNodesToScore: Invalid value: 110: not in valid range [0-100]' },
    { name: 'negative percentage', yaml: 'percentageOfNodesToScore: -1', msg: 'percentageOfNodesToScore: Invalid value: -1: not in valid range [0-100]' },
    { name: 'initial backoff', yaml: 'podInitialBackoffSeconds: 0', msg: 'podInitialBackoffSeconds: Invalid value: 0: must be greater than 0' },
    { name: 'max below initial', yaml: 'podInitialBackoffSeconds: 5\npodMaxBackoffSeconds: 1', msg: 'podMaxBackoffSeconds: Invalid value: 1: must be greater than or equal to PodInitialBackoffSeconds' },
    { name: 'lease duration', yaml: 'leaderElection:\n  leaseDuration: soon', msg: 'leaderElection.leaseDuration: Invalid value: "soon": must be a duration' },
    { name: 'duplicate profile', yaml: 'profiles:\n  - schedulerName: a\n  - schedulerName: a', msg: 'profiles[1].schedulerName: Duplicate value: "a"' },
    { name: 'profile percentage', yaml: 'profiles:\n  - schedulerName: a\n    percentageOfNodesToScore: 101', msg: 'profiles[0].percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]' },
    { name: 'duplicate pluginConfig', yaml: 'profiles:\n  - pluginConfig:\n      - name: NodeResourcesFit\n      - name: NodeResourcesFit', msg: 'profiles[0].pluginConfig[1]: Duplicate value: "NodeResourcesFit"' },
  ])('$name', ({ yaml, msg }) => {
    expect(() => parseConfig(`${HEADER}${yaml}\n`)).toThrow(msg);
  });

  it('reports every error at once', () => {
    let err: unknown;
    try { parseConfig(`${HEADER}parallelism: -1\npercentageOfNodesToScore: 200\n`); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe('parallelism: Invalid value: -1: should be an integer value greater than zero, percentageOfNodesToScore: Invalid value: 200: not in valid range [0-100]');
  });

  it.each([
    ['15s', 15_000], ['1m30s', 90_000], ['500ms', 500], ['1h', 3_600_000], ['1.5s', 1500], ['250us', 0.25],
  ])('parseDuration(%s) = %d ms', (s, ms) => expect(parseDuration(s)).toBe(ms));

  it.each(['', '15', 's', '-1s', '1d'])('parseDuration(%j) throws', (s) => expect(() => parseDuration(s)).toThrow(`invalid duration "${s}"`));
});

describe('resolvePlugins', () => {
  it('the default MultiPoint set is upstream getDefaultPlugins minus the volume plugins', () => {
    expect(DEFAULT_MULTIPOINT.map((p) => p.weight === undefined ? p.name : `${p.name}:${p.weight}`)).toEqual([
      'SchedulingGates', 'PrioritySort', 'NodeUnschedulable', 'NodeName', 'TaintToleration:3', 'NodeAffinity:2', 'NodePorts',
      'NodeResourcesFit:1', 'PodTopologySpread:2', 'InterPodAffinity:2', 'DefaultPreemption', 'NodeResourcesBalancedAllocation:1',
      'ImageLocality:1', 'DefaultBinder',
    ]);
  });

  it('expands the defaults into each extension point with upstream weights', () => {
    const r = resolve();
    expect(names(r.queueSort)).toEqual(['PrioritySort']);
    expect(names(r.preFilter)).toEqual(['NodeName', 'NodeAffinity', 'NodePorts', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity']);
    expect(names(r.filter)).toEqual(DEFAULT_FILTER);
    expect(names(r.postFilter)).toEqual(['DefaultPreemption']);
    expect(names(r.preScore)).toEqual(['TaintToleration', 'NodeAffinity', 'NodeResourcesFit', 'PodTopologySpread', 'InterPodAffinity', 'NodeResourcesBalancedAllocation']);
    expect(weights(r.score)).toEqual(DEFAULT_SCORE);
    expect(names(r.bind)).toEqual(['DefaultBinder']);
    for (const p of ['reserve', 'permit', 'preBind', 'postBind'] as const) expect(r[p]).toEqual([]);
  });

  it('disabling a score plugin removes it from score only', () => {
    const r = resolve({ score: { disabled: [{ name: 'NodeAffinity' }] } });
    expect(weights(r.score)).toEqual(DEFAULT_SCORE.filter(([n]) => n !== 'NodeAffinity'));
    expect(names(r.filter)).toContain('NodeAffinity');
    expect(names(r.preScore)).toContain('NodeAffinity');
  });

  it("disabled '*' empties a point, keeping its explicit plugins in their order", () => {
    const r = resolve({ score: { disabled: [{ name: '*' }], enabled: [{ name: 'ImageLocality', weight: 5 }, { name: 'NodeAffinity' }] } });
    expect(r.score).toEqual([{ name: 'ImageLocality', weight: 5 }, { name: 'NodeAffinity' }]);
    expect(names(r.filter)).toEqual(DEFAULT_FILTER);
    expect(resolve({ filter: { disabled: [{ name: '*' }] } }).filter).toEqual([]);
  });

  it('a custom MultiPoint weight replaces the default weight in place', () => {
    const r = resolve({ multiPoint: { enabled: [{ name: 'ImageLocality', weight: 5 }, { name: 'TaintToleration', weight: 10 }] } });
    expect(weights(r.score)).toEqual(DEFAULT_SCORE.map(([n, w]): [string, number] => [n, n === 'ImageLocality' ? 5 : n === 'TaintToleration' ? 10 : w]));
  });

  it('an explicit per-point enable overrides the MultiPoint entry and goes first (TestRunScorePlugins MultiPointExpansion)', () => {
    const r = resolve({ score: { enabled: [{ name: 'NodeAffinity', weight: 7 }] } });
    expect(r.score[0]).toEqual({ name: 'NodeAffinity', weight: 7 });
    expect(names(r.score).filter((n) => n === 'NodeAffinity')).toHaveLength(1);
    expect(weights(r.score.slice(1))).toEqual(DEFAULT_SCORE.filter(([n]) => n !== 'NodeAffinity'));
  });

  it('MultiPoint disables remove a default plugin from every point', () => {
    const r = resolve({ multiPoint: { disabled: [{ name: 'TaintToleration' }] } });
    for (const p of ['filter', 'preScore', 'score'] as const) expect(names(r[p])).not.toContain('TaintToleration');
  });

  it("MultiPoint disabled '*' leaves only the MultiPoint plugins the profile names", () => {
    const r = resolve({ multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'PrioritySort' }, { name: 'NodeName' }, { name: 'DefaultBinder' }] } });
    expect(names(r.queueSort)).toEqual(['PrioritySort']);
    expect(names(r.filter)).toEqual(['NodeName']);
    expect(r.score).toEqual([]);
    expect(names(r.bind)).toEqual(['DefaultBinder']);
  });

  it('a custom MultiPoint plugin is appended after the defaults (mergePlugins "Append custom MultiPoint plugin")', () => {
    const r = resolve({ multiPoint: { enabled: [{ name: 'CustomPlugin', weight: 4 }] } });
    expect(names(r.filter)).toEqual([...DEFAULT_FILTER, 'CustomPlugin']);
    expect(r.score.at(-1)).toEqual({ name: 'CustomPlugin', weight: 4 });
  });

  // Upstream expandMultiPointPlugins orders a point as: explicit entries that override a
  // MultiPoint plugin, then the remaining MultiPoint plugins, then the other explicit entries.
  // A plugin enabled only at "filter" therefore runs after the defaults upstream.
  it('a plugin enabled only at one point runs after the MultiPoint plugins (upstream expandMultiPointPlugins part 3)', () => {
    const r = resolve({ filter: { enabled: [{ name: 'CustomFilter' }] } });
    expect(names(r.filter)).toEqual([...DEFAULT_FILTER, 'CustomFilter']);
  });

  // Upstream mergePluginSet replaces a re-configured default MultiPoint plugin wholesale
  // (defaultEnabledPlugin = customPlugin.plugin), so `multiPoint.enabled: [{name: TaintToleration}]`
  // without a weight yields weight 0, which the framework turns into 1.
  it('re-enabling a default MultiPoint plugin without a weight resets it to weight 1 (upstream mergePluginSet)', () => {
    const r = resolve({ multiPoint: { enabled: [{ name: 'TaintToleration' }] } });
    expect(weights(r.score)[0]).toEqual(['TaintToleration', 1]);
  });
});

describe('numFeasibleNodesToFind (TestNumFeasibleNodesToFind)', () => {
  // The scheduler passes the profile's percentage when set, else the global one.
  it.each([
    { name: 'not set percentageOfNodesToScore and nodes number not more than 50', global: 0, numAllNodes: 10, want: 10 },
    { name: 'set profile percentageOfNodesToScore and nodes number not more than 50', profile: 40, global: 0, numAllNodes: 10, want: 10 },
    { name: 'not set percentageOfNodesToScore and nodes number more than 50', global: 0, numAllNodes: 1000, want: 420 },
    { name: 'set profile percentageOfNodesToScore and nodes number more than 50', profile: 40, global: 0, numAllNodes: 1000, want: 400 },
    { name: 'set global and profile percentageOfNodesToScore and nodes number more than 50', profile: 40, global: 100, numAllNodes: 1000, want: 400 },
    { name: 'set global percentageOfNodesToScore and nodes number more than 50', global: 40, numAllNodes: 1000, want: 400 },
    { name: 'not set profile percentageOfNodesToScore and nodes number more than 50*125', global: 0, numAllNodes: 6000, want: 300 },
    { name: 'set profile percentageOfNodesToScore and nodes number more than 50*125', profile: 40, global: 0, numAllNodes: 6000, want: 2400 },
    { name: 'never fewer than 100 nodes', global: 1, numAllNodes: 5000, want: 100 },
    { name: '100% scores all nodes', global: 100, numAllNodes: 5000, want: 5000 },
  ])('$name', ({ profile, global, numAllNodes, want }) => {
    expect(numFeasibleNodesToFind(profile ?? global, numAllNodes)).toBe(want);
  });

  // Upstream computes `int32(50) - numAllNodes/125` in int32 arithmetic (the division truncates
  it.each([
    { numAllNodes: 260, want: 124 }, // 50 - 2 = 48% (TS: 47% -> 122)
    { numAllNodes: 1001, want: 420 }, // 50 - 8 = 42% (TS: 41% -> 410)
  ])('adaptive percentage uses integer division: $numAllNodes nodes -> $want', ({ numAllNodes, want }) => {
    expect(numFeasibleNodesToFind(0, numAllNodes)).toBe(want);
  });
});
