// Framework runtime: ported from upstream framework/runtime/framework_test.go (TestNewFrameworkErrors,
// TestRunPreFilterPlugins, TestFilterPlugins, TestFilterPluginsWithNominatedPods, TestRunScorePlugins,
// TestPostFilterPlugins, TestPermitPlugins, TestRunBindPlugins, waiting pods) with fake plugins.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import { FakeClock, flushMicrotasks } from '@kube-ts/client/clock';
import type { ExtensionPoint, PluginConfig, PluginRef, Plugins } from '../../src/config/types.js';
import { CycleState } from '../../src/framework/cyclestate.js';
import { ActionType, type ClusterEventWithHint } from '../../src/framework/events.js';
import type {
  BindPlugin, FilterPlugin, NodeScore, NodeToStatusMap, PermitPlugin, Plugin, PluginFactory, PostFilterPlugin, PostFilterResult,
  PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, QueueSortPlugin, ReservePlugin, ScoreExtensions, ScorePlugin,
} from '../../src/framework/interface.js';
import type { NodeInfo } from '../../src/framework/nodeinfo.js';
import { PodInfo, type QueuedPodInfo } from '../../src/framework/podinfo.js';
import { Framework } from '../../src/framework/runtime.js';
import { Snapshot } from '../../src/framework/snapshot.js';
import { Code, Status, type MaybeStatus } from '../../src/framework/status.js';
import { fakeHandle, makeNode, makeNodeInfo, makePod } from './fixtures.js';

const INJECT = 'injected status';
const INJECT_FILTER = 'injected filter status';

/** Upstream's injected statuses: a code with the injected reason (Success is null). */
function inj(code: Code, reason = INJECT): MaybeStatus {
  if (code === Code.Success) return null;
  return code === Code.Error ? Status.error(reason) : new Status(code, reason ? [reason] : []);
}

/** A comparable view of a status. */
function view(s: MaybeStatus): { code: Code; reasons: string[]; plugin: string } | null {
  return s === null ? null : { code: s.code, reasons: s.reasons, plugin: s.plugin };
}
const want = (code: Code, reasons: string[], plugin = ''): ReturnType<typeof view> => ({ code, reasons, plugin });

// ---- fake plugins ------------------------------------------------------------------------------

class Sort implements QueueSortPlugin {
  readonly name = 'Sort';
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean { return a.timestamp < b.timestamp; }
}

class Binder implements BindPlugin {
  calls = 0;
  constructor(readonly name: string, private readonly code: Code = Code.Success) {}
  async bind(): Promise<MaybeStatus> { this.calls++; return this.code === Code.Skip ? Status.skip() : inj(this.code); }
}

class FilterPl implements FilterPlugin {
  calls = 0;
  constructor(readonly name: string, private readonly fn: (pod: Pod, ni: NodeInfo) => MaybeStatus) {}
  filter(_s: CycleState, pod: Pod, ni: NodeInfo): MaybeStatus { this.calls++; return this.fn(pod, ni); }
}
const codeFilter = (name: string, code: Code): FilterPl => new FilterPl(name, () => inj(code, INJECT_FILTER));

class PreFilterPl implements PreFilterPlugin {
  calls = 0;
  addCalls = 0;
  removeCalls = 0;
  constructor(
    readonly name: string,
    private readonly out: () => { result?: PreFilterResult; status: MaybeStatus },
    private readonly addStatus: Code | undefined = undefined,
  ) {}
  preFilter(): { result?: PreFilterResult; status: MaybeStatus } { this.calls++; return this.out(); }
  preFilterExtensions(): PreFilterExtensions | null {
    if (this.addStatus === undefined) return null;
    return {
      addPod: () => { this.addCalls++; return inj(this.addStatus!); },
      removePod: () => { this.removeCalls++; return null; },
    };
  }
}
const nodeSetPreFilter = (name: string, nodes: string[]): PreFilterPl => new PreFilterPl(name, () => ({ result: { nodeNames: new Set(nodes) }, status: null }));

/** Skips at PreFilter and would reject every node at Filter. */
class SkippingPlugin implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  filterCalls = 0;
  scoreCalls = 0;
  constructor(readonly name: string) {}
  preFilter(): { status: MaybeStatus } { return { status: Status.skip() }; }
  preFilterExtensions(): PreFilterExtensions { return { addPod: () => Status.error('must not be called'), removePod: () => Status.error('must not be called') }; }
  filter(): MaybeStatus { this.filterCalls++; return Status.unschedulable('skipped plugin ran'); }
  preScore(): MaybeStatus { return Status.skip(); }
  score(): { score: number; status: MaybeStatus } { this.scoreCalls++; return { score: 100, status: null }; }
}

class ScorePl implements ScorePlugin, PreScorePlugin {
  constructor(
    readonly name: string,
    private readonly scoreFn: (ni: NodeInfo) => number,
    private readonly o: { scoreStatus?: Code; normalize?: (scores: NodeScore[]) => void; normalizeStatus?: Code; preScoreStatus?: Code } = {},
  ) {}
  preScore(): MaybeStatus { return inj(this.o.preScoreStatus ?? Code.Success); }
  score(_s: CycleState, _p: Pod, ni: NodeInfo): { score: number; status: MaybeStatus } {
    return { score: this.scoreFn(ni), status: inj(this.o.scoreStatus ?? Code.Success) };
  }
  scoreExtensions(): ScoreExtensions | null {
    const { normalize, normalizeStatus } = this.o;
    if (!normalize && normalizeStatus === undefined) return null;
    return { normalizeScore: (_s, _p, scores) => { normalize?.(scores); return inj(normalizeStatus ?? Code.Success); } };
  }
}
const constScore = (name: string, score: number, normalizeTo?: number): ScorePl =>
  new ScorePl(name, () => score, normalizeTo === undefined ? {} : { normalize: (s) => { for (const x of s) x.score = normalizeTo; } });

class PermitPl implements PermitPlugin {
  constructor(readonly name: string, private readonly code: Code, private readonly timeoutMs = 0) {}
  permit(): { status: MaybeStatus; timeoutMs: number } {
    return { status: this.code === Code.Wait ? new Status(Code.Wait) : inj(this.code), timeoutMs: this.timeoutMs };
  }
}

class PostFilterPl implements PostFilterPlugin {
  constructor(readonly name: string, private readonly code: Code, private readonly nominate?: string) {}
  async postFilter(): Promise<{ result: PostFilterResult | null; status: MaybeStatus }> {
    return { result: this.nominate ? { nominatedNodeName: this.nominate } : null, status: inj(this.code, `${this.name} failed`) };
  }
}

class ReservePl implements ReservePlugin {
  constructor(readonly name: string, private readonly code: Code, private readonly log: string[]) {}
  reserve(): MaybeStatus { this.log.push(`reserve ${this.name}`); return inj(this.code); }
  unreserve(): void { this.log.push(`unreserve ${this.name}`); }
}

// ---- framework builder -------------------------------------------------------------------------

interface Build {
  /** Plugins and the points they are enabled at (in order). */
  points?: Partial<Record<ExtensionPoint, Array<Plugin | [Plugin, number]>>>;
  plugins?: Plugins;
  pluginConfig?: PluginConfig[];
  registry?: Map<string, PluginFactory>;
  nominated?: Record<string, PodInfo[]>;
  clock?: FakeClock;
}

function newFramework(b: Build = {}): Framework {
  const registry = new Map<string, PluginFactory>(b.registry ?? []);
  const plugins: Plugins = { multiPoint: { disabled: [{ name: '*' }] }, ...(b.plugins ?? {}) };
  const add = (point: ExtensionPoint, p: Plugin, weight?: number): void => {
    if (!registry.has(p.name)) registry.set(p.name, () => p);
    const set = (plugins[point] ??= {});
    const ref: PluginRef = weight === undefined ? { name: p.name } : { name: p.name, weight };
    (set.enabled ??= []).push(ref);
  };
  for (const [point, list] of Object.entries(b.points ?? {}) as Array<[ExtensionPoint, Array<Plugin | [Plugin, number]>]>) {
    for (const e of list) if (Array.isArray(e)) add(point, e[0], e[1]); else add(point, e);
  }
  if (!plugins.queueSort?.enabled?.length) add('queueSort', new Sort());
  if (!plugins.bind?.enabled?.length) add('bind', new Binder('Binder'));
  const h = fakeHandle();
  return new Framework({ schedulerName: 'test-profile', plugins, ...(b.pluginConfig ? { pluginConfig: b.pluginConfig } : {}) }, registry, {
    snapshot: () => new Snapshot([]),
    api: h.api,
    recorder: h.recorder,
    nominatedPodsForNode: (n) => b.nominated?.[n] ?? [],
    pdbs: () => [],
    priorityClass: () => undefined,
    namespaceLabels: () => undefined,
    ...(b.clock ? { clock: b.clock } : {}),
  });
}

const pod = makePod('p');
const nodes = [makeNodeInfo(makeNode('node1')), makeNodeInfo(makeNode('node2'))];

// ---- tests -------------------------------------------------------------------------------------

describe('NewFramework errors (TestNewFrameworkErrors)', () => {
  it('rejects an unknown plugin', () => {
    expect(() => newFramework({ plugins: { filter: { enabled: [{ name: 'notExist' }] } } }))
      .toThrow('couldn\'t create scheduler profile "test-profile": plugin "notExist" does not exist');
  });

  it('rejects a plugin that does not extend the point it is enabled at', () => {
    const scoreOnly = constScore('scoreOnly', 1);
    expect(() => newFramework({ registry: new Map([['scoreOnly', (() => scoreOnly) as PluginFactory]]), plugins: { filter: { enabled: [{ name: 'scoreOnly' }] } } }))
      .toThrow('plugin "scoreOnly" does not extend filter plugin');
  });

  it('needs a queue sort and a bind plugin', () => {
    const registry = new Map<string, PluginFactory>([['Sort', () => new Sort()], ['Binder', () => new Binder('Binder')]]);
    expect(() => new Framework({ schedulerName: 'x', plugins: { multiPoint: { disabled: [{ name: '*' }] }, bind: { enabled: [{ name: 'Binder' }] } } }, registry, {
      snapshot: () => new Snapshot([]), api: fakeHandle().api, recorder: fakeHandle().recorder, nominatedPodsForNode: () => [], pdbs: () => [], priorityClass: () => undefined, namespaceLabels: () => undefined,
    })).toThrow('profile "x": no queue sort plugin is enabled');
    expect(() => new Framework({ schedulerName: 'x', plugins: { multiPoint: { disabled: [{ name: '*' }] }, queueSort: { enabled: [{ name: 'Sort' }] } } }, registry, {
      snapshot: () => new Snapshot([]), api: fakeHandle().api, recorder: fakeHandle().recorder, nominatedPodsForNode: () => [], pdbs: () => [], priorityClass: () => undefined, namespaceLabels: () => undefined,
    })).toThrow('profile "x": at least one bind plugin is needed');
  });

  it('passes pluginConfig args to the factory and shares one instance across points', () => {
    const seen: Array<Record<string, unknown> | undefined> = [];
    let made = 0;
    const pl = new SkippingPlugin('Multi');
    const registry = new Map<string, PluginFactory>([['Multi', (args) => { seen.push(args); made++; return pl; }]]);
    const f = newFramework({ registry, plugins: { filter: { enabled: [{ name: 'Multi' }] }, score: { enabled: [{ name: 'Multi' }] } }, pluginConfig: [{ name: 'Multi', args: { scoreRes: 1 } }] });
    expect(made).toBe(1);
    expect(seen).toEqual([{ scoreRes: 1 }]);
    expect(f.plugins.get('Multi')).toBe(pl);
  });

  it('collects eventsToRegister per plugin', () => {
    const events: ClusterEventWithHint[] = [{ event: { resource: 'Node', actionType: ActionType.Add } }];
    const pl: FilterPlugin & { eventsToRegister(): ClusterEventWithHint[] } = { name: 'WithEvents', filter: () => null, eventsToRegister: () => events };
    const f = newFramework({ points: { filter: [pl] } });
    expect(f.eventsToRegister().get('WithEvents')).toEqual(events);
    expect(f.eventsToRegister().has('Sort')).toBe(false);
  });
});

describe('RunFilterPlugins (TestFilterPlugins)', () => {
  const err = (plugin: string): ReturnType<typeof view> => want(Code.Error, [`running "${plugin}" filter plugin: ${INJECT_FILTER}`], plugin);
  it.each([
    { name: 'SuccessFilter', codes: [Code.Success], want: null },
    { name: 'ErrorFilter', codes: [Code.Error], want: err('TestPlugin1') },
    { name: 'UnschedulableFilter', codes: [Code.Unschedulable], want: want(Code.Unschedulable, [INJECT_FILTER], 'TestPlugin1') },
    { name: 'UnschedulableAndUnresolvableFilter', codes: [Code.UnschedulableAndUnresolvable], want: want(Code.UnschedulableAndUnresolvable, [INJECT_FILTER], 'TestPlugin1') },
    { name: 'ErrorAndErrorFilters', codes: [Code.Error, Code.Error], want: err('TestPlugin1') },
    { name: 'SuccessAndSuccessFilters', codes: [Code.Success, Code.Success], want: null },
    { name: 'ErrorAndSuccessFilters', codes: [Code.Error, Code.Success], want: err('TestPlugin1') },
    { name: 'SuccessAndErrorFilters', codes: [Code.Success, Code.Error], want: err('TestPlugin2') },
    { name: 'SuccessAndUnschedulableFilters', codes: [Code.Success, Code.Unschedulable], want: want(Code.Unschedulable, [INJECT_FILTER], 'TestPlugin2') },
    { name: 'UnschedulableAndUnschedulableFilters', codes: [Code.Unschedulable, Code.UnschedulableAndUnresolvable], want: want(Code.Unschedulable, [INJECT_FILTER], 'TestPlugin1') },
  ])('$name', ({ codes, want: w }) => {
    const pls = codes.map((c, i) => codeFilter(`TestPlugin${i + 1}`, c));
    const f = newFramework({ points: { filter: pls } });
    expect(view(f.runFilterPlugins(new CycleState(), pod, nodes[0]!))).toEqual(w);
    // The first failure stops the chain.
    const firstFail = codes.findIndex((c) => c !== Code.Success);
    pls.forEach((p, i) => expect(p.calls).toBe(firstFail < 0 || i <= firstFail ? 1 : 0));
  });

  it('a throwing filter is an error tagged with the plugin', () => {
    const f = newFramework({ points: { filter: [new FilterPl('Throws', () => { throw new Error('kaboom'); })] } });
    expect(view(f.runFilterPlugins(new CycleState(), pod, nodes[0]!))).toEqual(want(Code.Error, ['running "Throws" filter plugin: kaboom'], 'Throws'));
  });
});

describe('RunPreFilterPlugins', () => {
  it('calls every PreFilter and its extensions once (TestPreFilterPlugins)', () => {
    const a = new PreFilterPl('prefilter-plugin', () => ({ status: null }));
    const b = new PreFilterPl('prefilter-with-extensions-plugin', () => ({ status: null }), Code.Success);
    const f = newFramework({ points: { preFilter: [b, a] } });
    const st = new CycleState();
    expect(f.runPreFilterPlugins(st, pod, nodes)).toEqual({ result: undefined, status: null, narrowedBy: [] });
    expect(f.runPreFilterExtensionAddPod(st, pod, new PodInfo(makePod('x')), nodes[0]!)).toBeNull();
    expect(f.runPreFilterExtensionRemovePod(st, pod, new PodInfo(makePod('x')), nodes[0]!)).toBeNull();
    expect([a.calls, b.calls, b.addCalls, b.removeCalls]).toEqual([1, 1, 1, 1]);
  });

  it('wraps an Error status with the plugin name (TestRunPreFilterPluginsStatus)', () => {
    const f = newFramework({ points: { preFilter: [new PreFilterPl('prefilter-plugin', () => ({ status: inj(Code.Error) }))] } });
    expect(view(f.runPreFilterPlugins(new CycleState(), pod, nodes).status))
      .toEqual(want(Code.Error, [`running PreFilter plugin "prefilter-plugin": ${INJECT}`], 'prefilter-plugin'));
  });

  it('returns an UnschedulableAndUnresolvable PreFilter status tagged with the plugin', () => {
    const later = new PreFilterPl('later', () => ({ status: null }));
    const f = newFramework({ points: { preFilter: [new PreFilterPl('rejects', () => ({ status: inj(Code.UnschedulableAndUnresolvable) })), later] } });
    expect(view(f.runPreFilterPlugins(new CycleState(), pod, nodes).status)).toEqual(want(Code.UnschedulableAndUnresolvable, [INJECT], 'rejects'));
    expect(later.calls).toBe(0);
  });

  // Upstream (kubernetes#119770): an Unschedulable PreFilter status does not stop the other
  // PreFilter plugins, so a later UnschedulableAndUnresolvable one wins and preemption is skipped.
  it('keeps running PreFilter plugins after an Unschedulable one; UnschedulableAndUnresolvable wins', () => {
    const f = newFramework({ points: { preFilter: [
      new PreFilterPl('soft', () => ({ status: inj(Code.Unschedulable, 'soft reason') })),
      new PreFilterPl('hard', () => ({ status: inj(Code.UnschedulableAndUnresolvable, 'hard reason') })),
    ] } });
    expect(view(f.runPreFilterPlugins(new CycleState(), pod, nodes).status)).toEqual(want(Code.UnschedulableAndUnresolvable, ['hard reason'], 'hard'));
  });

  it('Skip at PreFilter skips that plugin\'s Filter and PreFilter extensions', () => {
    const skipping = new SkippingPlugin('Skipper');
    const other = codeFilter('Other', Code.Success);
    const f = newFramework({ points: { preFilter: [skipping], filter: [skipping, other] } });
    const st = new CycleState();
    expect(f.runPreFilterPlugins(st, pod, nodes).status).toBeNull();
    expect([...st.skipFilterPlugins]).toEqual(['Skipper']);
    expect(f.runFilterPlugins(st, pod, nodes[0]!)).toBeNull();
    expect(skipping.filterCalls).toBe(0);
    expect(other.calls).toBe(1);
    expect(f.runPreFilterExtensionAddPod(st, pod, new PodInfo(makePod('x')), nodes[0]!)).toBeNull();
    // Without the PreFilter's Skip the same Filter rejects.
    expect(view(f.runFilterPlugins(new CycleState(), pod, nodes[0]!))).toEqual(want(Code.Unschedulable, ['skipped plugin ran'], 'Skipper'));
  });

  it('intersects the node names returned by PreFilter plugins', () => {
    const f = newFramework({ points: { preFilter: [
      nodeSetPreFilter('A', ['node1', 'node2', 'node3']),
      new PreFilterPl('AllNodes', () => ({ status: null })),
      nodeSetPreFilter('B', ['node2', 'node3', 'node4']),
      nodeSetPreFilter('C', ['node3', 'node2']),
    ] } });
    const r = f.runPreFilterPlugins(new CycleState(), pod, nodes);
    expect(r.status).toBeNull();
    expect([...r.result!.nodeNames!].sort()).toEqual(['node2', 'node3']);
  });

  it('an empty intersection is UnschedulableAndUnresolvable', () => {
    const f = newFramework({ points: { preFilter: [nodeSetPreFilter('A', ['node1']), nodeSetPreFilter('B', ['node2'])] } });
    const s = f.runPreFilterPlugins(new CycleState(), pod, nodes).status;
    expect(s?.code).toBe(Code.UnschedulableAndUnresolvable);
  });

  // Upstream lists every plugin that narrowed the node set: "node(s) didn't satisfy plugin(s)
  // [A B] simultaneously", and "node(s) didn't satisfy plugin A" when only one did.
  it('names every narrowing plugin in the empty-intersection message (upstream RunPreFilterPlugins)', () => {
    const f = newFramework({ points: { preFilter: [nodeSetPreFilter('A', ['node1']), nodeSetPreFilter('B', ['node2'])] } });
    expect(f.runPreFilterPlugins(new CycleState(), pod, nodes).status?.reasons).toEqual(['node(s) didn\'t satisfy plugin(s) [A B] simultaneously']);
  });

  it('uses the singular message when one plugin returned no nodes (upstream RunPreFilterPlugins)', () => {
    const f = newFramework({ points: { preFilter: [nodeSetPreFilter('A', [])] } });
    expect(f.runPreFilterPlugins(new CycleState(), pod, nodes).status?.reasons).toEqual(['node(s) didn\'t satisfy plugin A']);
  });
});

describe('RunScorePlugins (TestRunScorePlugins)', () => {
  const totals = (f: Framework, st = new CycleState()): NodeScore[] => {
    const r = f.runScorePlugins(st, pod, nodes);
    expect(r.status).toBeNull();
    return r.scores;
  };

  it('no Score plugins: zero totals', () => {
    expect(totals(newFramework())).toEqual([{ name: 'node1', score: 0 }, { name: 'node2', score: 0 }]);
  });

  it('single Score plugin', () => {
    expect(totals(newFramework({ points: { score: [constScore('score-plugin-1', 1)] } }))).toEqual([{ name: 'node1', score: 1 }, { name: 'node2', score: 1 }]);
  });

  it('single ScoreWithNormalize plugin: NormalizeScore overrides the raw score', () => {
    expect(totals(newFramework({ points: { score: [constScore('score-with-normalize-plugin-1', 10, 5)] } })))
      .toEqual([{ name: 'node1', score: 5 }, { name: 'node2', score: 5 }]);
  });

  it('3 Score plugins, 2 NormalizeScore plugins: normalized then weighted', () => {
    const f = newFramework({ points: { score: [
      [constScore('score-plugin-1', 1), 1],
      [constScore('score-with-normalize-plugin-1', 3, 4), 1],
      [constScore('score-with-normalize-plugin-2', 4, 5), 2],
    ] } });
    expect(totals(f)).toEqual([{ name: 'node1', score: 15 }, { name: 'node2', score: 15 }]);
  });

  it('single Score plugin with MultiPointExpansion: the explicit weight wins', () => {
    const pl = constScore('score-plugin-1', 1);
    const f = newFramework({
      registry: new Map([['score-plugin-1', (() => pl) as PluginFactory]]),
      plugins: { multiPoint: { disabled: [{ name: '*' }], enabled: [{ name: 'score-plugin-1' }] }, score: { enabled: [{ name: 'score-plugin-1', weight: 3 }] } },
    });
    expect(totals(f)).toEqual([{ name: 'node1', score: 3 }, { name: 'node2', score: 3 }]);
  });

  it('normalizes per node before weighting', () => {
    // Raw scores 10 and 30 normalized to [0, 100] by the max: 33 and 100, then weight 2.
    const byNode = new ScorePl('ByNode', (ni) => (ni.name === 'node1' ? 10 : 30), {
      normalize: (s) => { const max = Math.max(...s.map((x) => x.score)); for (const x of s) x.score = Math.trunc((100 * x.score) / max); },
    });
    expect(totals(newFramework({ points: { score: [[byNode, 2], [constScore('Flat', 7), 1]] } })))
      .toEqual([{ name: 'node1', score: 73 }, { name: 'node2', score: 207 }]);
  });

  it('PreScore Skip skips that plugin\'s Score', () => {
    const skipping = new SkippingPlugin('Skipper');
    const f = newFramework({ points: { preScore: [skipping], score: [skipping, constScore('Other', 2)] } });
    const st = new CycleState();
    expect(f.runPreScorePlugins(st, pod, nodes)).toBeNull();
    expect(totals(f, st)).toEqual([{ name: 'node1', score: 2 }, { name: 'node2', score: 2 }]);
    expect(skipping.scoreCalls).toBe(0);
  });

  it('a PreScore error is wrapped', () => {
    const f = newFramework({ points: { preScore: [new ScorePl('pre', () => 0, { preScoreStatus: Code.Error })] } });
    expect(view(f.runPreScorePlugins(new CycleState(), pod, nodes))).toEqual(want(Code.Error, [`running PreScore plugin "pre": ${INJECT}`], 'pre'));
  });

  const invalid = (plugin: string, sc: number): string => `plugin "${plugin}" returns an invalid score ${sc}, it should in the range of [0, 100] after normalizing`;
  it.each([
    { name: 'score fails', pl: (): ScorePl => new ScorePl('score-with-normalize-plugin-1', () => 1, { scoreStatus: Code.Error }), msg: `running Score plugin "score-with-normalize-plugin-1": ${INJECT}` },
    { name: 'normalize fails', pl: (): ScorePl => new ScorePl('score-with-normalize-plugin-1', () => 1, { normalizeStatus: Code.Error }), msg: `running Normalize on Score plugin "score-with-normalize-plugin-1": ${INJECT}` },
    { name: 'Score plugin return score greater than MaxNodeScore', pl: (): ScorePl => constScore('score-plugin-1', 101), msg: invalid('score-plugin-1', 101) },
    { name: 'Score plugin return score less than MinNodeScore', pl: (): ScorePl => constScore('score-plugin-1', -1), msg: invalid('score-plugin-1', -1) },
    { name: 'ScoreWithNormalize plugin return score greater than MaxNodeScore', pl: (): ScorePl => constScore('score-with-normalize-plugin-1', 50, 101), msg: invalid('score-with-normalize-plugin-1', 101) },
    { name: 'ScoreWithNormalize plugin return score less than MinNodeScore', pl: (): ScorePl => constScore('score-with-normalize-plugin-1', 50, -1), msg: invalid('score-with-normalize-plugin-1', -1) },
  ])('$name -> error', ({ pl, msg }) => {
    const f = newFramework({ points: { score: [constScore('score-plugin-ok', 1), pl()] } });
    const r = f.runScorePlugins(new CycleState(), pod, nodes);
    expect(r.status?.code).toBe(Code.Error);
    expect(r.status?.message()).toBe(msg);
    expect(r.scores).toEqual([]);
  });

  it('a raw score above 100 is fine when NormalizeScore brings it into range', () => {
    expect(totals(newFramework({ points: { score: [constScore('big', 1000, 100)] } }))).toEqual([{ name: 'node1', score: 100 }, { name: 'node2', score: 100 }]);
  });
});

describe('RunPostFilterPlugins (TestPostFilterPlugins)', () => {
  const run = (pls: PostFilterPl[]): Promise<{ result: PostFilterResult | null; status: MaybeStatus }> =>
    newFramework({ points: { postFilter: pls } }).runPostFilterPlugins(new CycleState(), pod, new Map() as NodeToStatusMap);

  it('a single plugin makes a Pod schedulable', async () => {
    const r = await run([new PostFilterPl('TestPlugin', Code.Success, 'node1')]);
    expect(r.status).toBeNull();
    expect(r.result).toEqual({ nominatedNodeName: 'node1' });
  });

  it('plugin1 fails, plugin2 makes the Pod schedulable', async () => {
    const r = await run([new PostFilterPl('TestPlugin1', Code.Unschedulable), new PostFilterPl('TestPlugin2', Code.Success, 'node2')]);
    expect(r.status).toBeNull();
    expect(r.result).toEqual({ nominatedNodeName: 'node2' });
  });

  it('plugin1 makes the Pod schedulable; plugin2 is not run', async () => {
    const r = await run([new PostFilterPl('TestPlugin1', Code.Success, 'node1'), new PostFilterPl('TestPlugin2', Code.Error)]);
    expect(r.status).toBeNull();
  });

  it('all plugins fail: their reasons are joined', async () => {
    const r = await run([new PostFilterPl('TestPlugin1', Code.Unschedulable), new PostFilterPl('TestPlugin2', Code.Unschedulable)]);
    expect(view(r.status)).toEqual(want(Code.Unschedulable, ['TestPlugin1 failed', 'TestPlugin2 failed'], 'TestPlugin2'));
  });

  it('an error stops at that plugin', async () => {
    const r = await run([new PostFilterPl('TestPlugin1', Code.Error), new PostFilterPl('TestPlugin2', Code.Success, 'n')]);
    expect(view(r.status)).toEqual(want(Code.Error, ['TestPlugin1 failed'], 'TestPlugin1'));
  });
});

describe('RunFilterPluginsWithNominatedPods (TestFilterPluginsWithNominatedPods)', () => {
  const lowPod = makePod('low', { uid: 'low', priority: 0 });
  const highPod = makePod('high', { uid: 'high', priority: 1000 });
  const node = (): NodeInfo => makeNodeInfo(makeNode('testNode'), [makePod('existing', { nodeName: 'testNode' })]);

  it.each([
    { name: 'node has no nominated pod', pre: undefined, filter: undefined, pod: lowPod, nominated: undefined, want: null },
    { name: 'node has a high-priority nominated pod and all filters succeed', pre: Code.Success, filter: Code.Success, pod: lowPod, nominated: highPod, want: null },
    {
      name: 'node has a high-priority nominated pod and filters fail', pre: Code.Success, filter: Code.Error, pod: lowPod, nominated: highPod,
      want: want(Code.Error, [`running "TestPlugin2" filter plugin: ${INJECT_FILTER}`], 'TestPlugin2'),
    },
    { name: 'node has a low-priority nominated pod and pre filters return unschedulable', pre: Code.Unschedulable, filter: Code.Success, pod: highPod, nominated: lowPod, want: null },
  ])('$name', ({ pre, filter, pod: p, nominated, want: w }) => {
    const points: Build['points'] = {};
    if (pre !== undefined) points.preFilter = [new PreFilterPl('TestPlugin1', () => ({ status: null }), pre)];
    if (filter !== undefined) points.filter = [codeFilter('TestPlugin2', filter)];
    const f = newFramework({ points, nominated: nominated ? { testNode: [new PodInfo(nominated)] } : {} });
    expect(view(f.runFilterPluginsWithNominatedPods(new CycleState(), p, node()))).toEqual(w);
  });

  // Upstream addNominatedPods returns the AddPod error and RunFilterPluginsWithNominatedPods
  // returns it as an Error status.
  it('node has a high-priority nominated pod and pre filters fail -> error', () => {
    const f = newFramework({
      points: { preFilter: [new PreFilterPl('TestPlugin1', () => ({ status: null }), Code.Error)] },
      nominated: { testNode: [new PodInfo(highPod)] },
    });
    expect(view(f.runFilterPluginsWithNominatedPods(new CycleState(), lowPod, node())))
      .toEqual(want(Code.Error, [`running AddPod on PreFilter plugin "TestPlugin1": ${INJECT}`]));
  });

  /** A resource filter: the pod's cpu request must fit beside the pods on the node. */
  const cpuFit = (): FilterPl => new FilterPl('CpuFit', (p, ni) => {
    const want = new PodInfo(p).requests.milliCPU;
    return ni.requested.milliCPU + want <= ni.allocatable.milliCPU ? null : Status.unschedulable('Insufficient cpu');
  });
  const cpuNode = (): NodeInfo => makeNodeInfo(makeNode('n1', { allocatable: { cpu: '4', memory: '8Gi', pods: '110' } }));

  it.each([
    { name: 'a higher-priority nominated pod takes the room', nominatedPriority: 100, want: want(Code.Unschedulable, ['Insufficient cpu'], 'CpuFit') },
    { name: 'an equal-priority nominated pod counts too', nominatedPriority: 10, want: want(Code.Unschedulable, ['Insufficient cpu'], 'CpuFit') },
    { name: 'a lower-priority nominated pod is ignored', nominatedPriority: 1, want: null },
  ])('$name', ({ nominatedPriority, want: w }) => {
    const nominated = makePod('nominated', { priority: nominatedPriority, requests: { cpu: '3' } });
    const p = makePod('incoming', { priority: 10, requests: { cpu: '2' } });
    const f = newFramework({ points: { filter: [cpuFit()] }, nominated: { n1: [new PodInfo(nominated)] } });
    const ni = cpuNode();
    expect(view(f.runFilterPluginsWithNominatedPods(new CycleState(), p, ni))).toEqual(w);
    // The node itself is untouched (the nominated pod was added to a copy).
    expect(ni.pods).toHaveLength(0);
    expect(view(f.runFilterPlugins(new CycleState(), p, ni))).toBeNull();
  });

  it('the pod\'s own nomination does not count against it', () => {
    const p = makePod('incoming', { priority: 10, requests: { cpu: '3' } });
    const f = newFramework({ points: { filter: [cpuFit()] }, nominated: { n1: [new PodInfo(p)] } });
    expect(f.runFilterPluginsWithNominatedPods(new CycleState(), p, cpuNode())).toBeNull();
  });

  it('a pod that fits only thanks to the nominated pods is rejected by the second pass', () => {
    // Requires a pod labelled app=db on the node: present only among the nominated pods.
    const needsDb = new FilterPl('NeedsDb', (_p, ni) => (ni.pods.some((pi) => pi.pod.metadata.labels?.app === 'db') ? null : Status.unschedulable('no db here')));
    const f = newFramework({ points: { filter: [needsDb] }, nominated: { n1: [new PodInfo(makePod('db', { priority: 100, labels: { app: 'db' } }))] } });
    expect(view(f.runFilterPluginsWithNominatedPods(new CycleState(), makePod('web', { priority: 1 }), cpuNode())))
      .toEqual(want(Code.Unschedulable, ['no db here'], 'NeedsDb'));
    expect(needsDb.calls).toBe(2);
  });
});

describe('reserve / permit / bind', () => {
  it('Reserve runs in order, Unreserve in reverse; the failing plugin is tagged', () => {
    const log: string[] = [];
    const f = newFramework({ points: { reserve: [new ReservePl('R1', Code.Success, log), new ReservePl('R2', Code.Unschedulable, log), new ReservePl('R3', Code.Success, log)] } });
    expect(view(f.runReservePluginsReserve(new CycleState(), pod, 'node1'))).toEqual(want(Code.Unschedulable, [INJECT], 'R2'));
    f.runReservePluginsUnreserve(new CycleState(), pod, 'node1');
    expect(log).toEqual(['reserve R1', 'reserve R2', 'unreserve R3', 'unreserve R2', 'unreserve R1']);
  });

  it.each([
    { name: 'NilPermitPlugin', codes: [], want: null },
    { name: 'SuccessPermitPlugin', codes: [Code.Success], want: null },
    { name: 'UnschedulablePermitPlugin', codes: [Code.Unschedulable], want: want(Code.Unschedulable, [INJECT], 'TestPlugin1') },
    { name: 'UnschedulableAndUnresolvablePermitPlugin', codes: [Code.UnschedulableAndUnresolvable], want: want(Code.UnschedulableAndUnresolvable, [INJECT], 'TestPlugin1') },
    { name: 'SuccessSuccessPermitPlugin', codes: [Code.Success, Code.Success], want: null },
    { name: 'WaitThenReject: a rejection wins over a wait', codes: [Code.Wait, Code.Unschedulable], want: want(Code.Unschedulable, [INJECT], 'TestPlugin2') },
  ])('Permit: $name (TestPermitPlugins)', ({ codes, want: w }) => {
    const f = newFramework({ points: { permit: codes.map((c, i) => new PermitPl(`TestPlugin${i + 1}`, c, 1000)) } });
    expect(view(f.runPermitPlugins(new CycleState(), pod, 'node1'))).toEqual(w);
  });

  it('Permit Wait is rejected when its timeout expires (FakeClock)', async () => {
    const clock = new FakeClock();
    const f = newFramework({ points: { permit: [new PermitPl('permit-plugin', Code.Wait, 10_000)] }, clock });
    const p = makePod('waiting');
    expect(f.runPermitPlugins(new CycleState(), p, 'node1')?.code).toBe(Code.Wait);
    let done: MaybeStatus | 'pending' = 'pending';
    void f.waitOnPermit(p).then((s) => { done = s; });
    await clock.step(9_999);
    expect(done).toBe('pending');
    await clock.step(1);
    expect(done).not.toBe('pending');
    const s = done as unknown as Status;
    expect(s.code).toBe(Code.Unschedulable);
    expect(s.message()).toContain('rejected due to timeout after waiting');
    expect(f.signalWaitingPod(p.metadata.uid!, null)).toBe(false); // no longer waiting
  });

  it('a waiting pod can be allowed or rejected before the timeout', async () => {
    const clock = new FakeClock();
    const f = newFramework({ points: { permit: [new PermitPl('permit-plugin', Code.Wait, 10_000)] }, clock });
    const a = makePod('a');
    const b = makePod('b');
    f.runPermitPlugins(new CycleState(), a, 'node1');
    f.runPermitPlugins(new CycleState(), b, 'node1');
    const wa = f.waitOnPermit(a);
    const wb = f.waitOnPermit(b);
    expect(f.signalWaitingPod(a.metadata.uid!, null)).toBe(true);
    expect(f.signalWaitingPod(b.metadata.uid!, Status.unschedulable('group incomplete').withPlugin('Coscheduling'))).toBe(true);
    expect(await wa).toBeNull();
    expect(view(await wb)).toEqual(want(Code.Unschedulable, ['group incomplete'], 'Coscheduling'));
    await clock.step(20_000); // timers were cancelled
    expect(clock.pending()).toBe(0);
    expect(await f.waitOnPermit(makePod('never-waited'))).toBeNull();
  });

  // Upstream's waiting pod starts one timer per waiting plugin and rejects the pod when the
  // first one fires ("rejected due to timeout after waiting 5s at plugin Short").
  it('the shortest Permit timeout rejects, naming its plugin (upstream waitingPod)', async () => {
    const clock = new FakeClock();
    const f = newFramework({ points: { permit: [new PermitPl('Long', Code.Wait, 10_000), new PermitPl('Short', Code.Wait, 5_000)] }, clock });
    const p = makePod('waiting');
    f.runPermitPlugins(new CycleState(), p, 'node1');
    let done: MaybeStatus | 'pending' = 'pending';
    void f.waitOnPermit(p).then((s) => { done = s; });
    await clock.step(5_000);
    await flushMicrotasks();
    expect(view(done === 'pending' ? null : done)).toEqual(want(Code.Unschedulable, ['rejected due to timeout after waiting 5s at plugin Short'], 'Short'));
  });

  it('Bind: Skip falls through to the next binder (TestRunBindPlugins)', async () => {
    const b1 = new Binder('B1', Code.Skip);
    const b2 = new Binder('B2', Code.Success);
    const b3 = new Binder('B3', Code.Success);
    const f = newFramework({ points: { bind: [b1, b2, b3] } });
    expect(await f.runBindPlugins(new CycleState(), pod, 'node1')).toBeNull();
    expect([b1.calls, b2.calls, b3.calls]).toEqual([1, 1, 0]);
  });

  it.each([
    { name: 'all binders skip', codes: [Code.Skip, Code.Skip], want: want(Code.Skip, []) },
    { name: 'error after a skip', codes: [Code.Skip, Code.Error], want: want(Code.Error, [INJECT], 'B2') },
    { name: 'success first', codes: [Code.Success, Code.Error], want: null },
  ])('Bind: $name', async ({ codes, want: w }) => {
    const f = newFramework({ points: { bind: codes.map((c, i) => new Binder(`B${i + 1}`, c)) } });
    expect(view(await f.runBindPlugins(new CycleState(), pod, 'node1'))).toEqual(w);
  });
});
