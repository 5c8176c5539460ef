// NodeAffinity plugin (upstream pkg/scheduler/framework/plugins/nodeaffinity) plus the parts of
// component-helpers/scheduling/corev1/nodeaffinity it relies on: node selector terms are checked
// the way labels.NewRequirement parses them, and a term that does not parse matches no node
// (pods keep scheduling as before a bad term; plugin args with a bad term are rejected).
import type { Node, NodeAffinity as NodeAffinitySpec, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from '@kube-ts/client/types';
import { mapSelectorMatches, nodeSelectorTermMatches } from '@kube-ts/client/labels';
import type { CycleState, StateData } from '../framework/cyclestate.js';
import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, NodeScore, PluginFactory, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScoreExtensions, ScorePlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/nodeinfo.js';
import { MAX_NODE_SCORE, Status, type MaybeStatus } from '../framework/status.js';
import { defaultNormalizeScore } from './helper.js';

export const NODE_AFFINITY_NAME = 'NodeAffinity';
export const ErrReasonPod = "node(s) didn't match Pod's node affinity/selector";
export const ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity";
export const ErrReasonConflict = 'pod affinity terms conflict';

// ---- apimachinery validation messages (field.Error / utilerrors.Aggregate formatting) -------------

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** validation.IsQualifiedName: label keys, topology keys. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  let name: string;
  const errs: string[] = [];
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
        errs.push(`prefix part ${regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
      }
    }
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue. */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** Go's rendering of a bad value in field.Error ("%q" for strings, %#v for string slices). */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  if (v === undefined || v === null) return 'null';
  return String(v);
}

export const fieldPath = {
  child: (p: string, name: string): string => (p ? `${p}.${name}` : name),
  index: (p: string, i: number): string => `${p}[${i}]`,
};

export const fieldError = {
  invalid: (p: string, v: unknown, detail: string): string => `${p}: Invalid value: ${goValue(v)}${detail ? `: ${detail}` : ''}`,
  required: (p: string, detail: string): string => `${p}: Required value${detail ? `: ${detail}` : ''}`,
  forbidden: (p: string, detail: string): string => `${p}: Forbidden${detail ? `: ${detail}` : ''}`,
  duplicate: (p: string, v: unknown): string => `${p}: Duplicate value: ${goValue(v)}`,
  notSupported: (p: string, v: unknown, supported: string[]): string =>
    `${p}: Unsupported value: ${goValue(v)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`,
};

/** utilerrors.Aggregate.Error(): one message alone, several deduplicated inside [a, b]. */
export function aggregateMessage(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}

// ---- node selector terms --------------------------------------------------------------------------

const LABEL_OPS = ['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'];

function requirementErrors(r: NodeSelectorRequirement, p: string): string[] {
  if (!LABEL_OPS.includes(r.operator)) return [fieldError.notSupported(fieldPath.child(p, 'operator'), r.operator, LABEL_OPS)];
  const errs: string[] = [];
  const keyErrs = qualifiedNameErrors(r.key);
  if (keyErrs.length) errs.push(fieldError.invalid(fieldPath.child(p, 'key'), r.key, keyErrs.join('; ')));
  const vals = r.values ?? [];
  const vp = fieldPath.child(p, 'values');
  if ((r.operator === 'In' || r.operator === 'NotIn') && vals.length === 0) {
    errs.push(fieldError.invalid(vp, vals, "for 'in', 'notin' operators, values set can't be empty"));
  }
  if ((r.operator === 'Exists' || r.operator === 'DoesNotExist') && vals.length !== 0) {
    errs.push(fieldError.forbidden(vp, 'values set must be empty for exists and does not exist'));
  }
  if (r.operator === 'Gt' || r.operator === 'Lt') {
    if (vals.length !== 1) errs.push(fieldError.invalid(vp, vals, "for 'Gt', 'Lt' operators, exactly one value is required"));
    vals.forEach((v, i) => {
      if (!/^[+-]?\d+$/.test(v)) errs.push(fieldError.invalid(fieldPath.index(vp, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"));
    });
  }
  vals.forEach((v, i) => {
    const ve = labelValueErrors(v);
    if (ve.length) errs.push(fieldError.invalid(fieldPath.index(vp, i), v, ve.join('; ')));
  });
  return errs;
}

function fieldRequirementErrors(r: NodeSelectorRequirement, p: string): string[] {
  if (r.operator !== 'In' && r.operator !== 'NotIn') return [fieldError.notSupported(fieldPath.child(p, 'operator'), r.operator, ['In', 'NotIn'])];
  if ((r.values ?? []).length !== 1) return [fieldError.invalid(fieldPath.child(p, 'values'), r.values ?? [], 'must have one element')];
  return [];
}

/** The parse errors of one NodeSelectorTerm (empty when it is usable). */
export function nodeSelectorTermErrors(t: NodeSelectorTerm, p: string): string[] {
  const errs: string[] = [];
  (t.matchExpressions ?? []).forEach((r, i) => errs.push(...requirementErrors(r, fieldPath.index(fieldPath.child(p, 'matchExpressions'), i))));
  (t.matchFields ?? []).forEach((r, i) => errs.push(...fieldRequirementErrors(r, fieldPath.index(fieldPath.child(p, 'matchFields'), i))));
  return errs;
}

function isEmptyTerm(t: NodeSelectorTerm): boolean {
  return (t.matchExpressions ?? []).length === 0 && (t.matchFields ?? []).length === 0;
}

function nodeLabels(node: Node | undefined): Record<string, string> | undefined { return node?.metadata.labels; }
function nodeName(node: Node | undefined): string { return node?.metadata.name ?? ''; }

/** A parsed NodeSelector: its terms are ORed; terms that did not parse never match. */
export class CompiledNodeSelector {
  private readonly terms: NodeSelectorTerm[] = [];
  readonly errors: string[] = [];

  constructor(ns: NodeSelector, path = '') {
    const tp = fieldPath.child(path, 'nodeSelectorTerms');
    ns.nodeSelectorTerms.forEach((t, i) => {
      if (isEmptyTerm(t)) return;
      const errs = nodeSelectorTermErrors(t, fieldPath.index(tp, i));
      if (errs.length) this.errors.push(...errs);
      else this.terms.push(t);
    });
  }

  match(node: Node | undefined): boolean {
    return this.terms.some((t) => nodeSelectorTermMatches(t, nodeLabels(node), nodeName(node)));
  }
}

/** nodeaffinity.RequiredNodeAffinity: spec.nodeSelector AND required node affinity. */
export class RequiredNodeAffinity {
  private readonly selector: Record<string, string> | undefined;
  private readonly affinity: CompiledNodeSelector | undefined;

  constructor(pod: Pod) {
    const ns = pod.spec.nodeSelector;
    this.selector = ns && Object.keys(ns).length > 0 ? ns : undefined;
    const req = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.affinity = req ? new CompiledNodeSelector(req) : undefined;
  }

  match(node: Node | undefined): boolean {
    if (this.selector && !mapSelectorMatches(this.selector, nodeLabels(node))) return false;
    return this.affinity ? this.affinity.match(node) : true;
  }
}

/** nodeaffinity.PreferredSchedulingTerms: any bad term is an error (unlike required terms). */
export class PreferredTerms {
  private readonly terms: Array<{ weight: number; term: NodeSelectorTerm }> = [];
  readonly errors: string[] = [];

  constructor(terms: PreferredSchedulingTerm[], path = '') {
    terms.forEach((t, i) => {
      if (!t.weight || isEmptyTerm(t.preference)) return;
      const errs = nodeSelectorTermErrors(t.preference, fieldPath.index(path, i));
      if (errs.length) this.errors.push(...errs);
      else this.terms.push({ weight: t.weight, term: t.preference });
    });
  }

  score(node: Node | undefined): number {
    let s = 0;
    for (const t of this.terms) if (nodeSelectorTermMatches(t.term, nodeLabels(node), nodeName(node))) s += t.weight;
    return s;
  }
}

// ---- the plugin -------------------------------------------------------------------------------------

const PRE_FILTER_KEY = `PreFilter${NODE_AFFINITY_NAME}`;
const PRE_SCORE_KEY = `PreScore${NODE_AFFINITY_NAME}`;

/** Immutable per-cycle data, so clone shares it. */
class PreFilterState implements StateData {
  constructor(readonly required: RequiredNodeAffinity) {}
  clone(): StateData { return this; }
}

class PreScoreState implements StateData {
  constructor(readonly preferred: PreferredTerms | undefined) {}
  clone(): StateData { return this; }
}

function podPreferredTerms(pod: Pod): PreferredTerms | undefined {
  const terms = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
  return terms ? new PreferredTerms(terms) : undefined;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = NODE_AFFINITY_NAME;

  constructor(
    /** From args.addedAffinity.required...: every node must match it. */
    private readonly addedNodeSelector: CompiledNodeSelector | undefined,
    /** From args.addedAffinity.preferred...: added to every pod's score. */
    private readonly addedPrefTerms: PreferredTerms | undefined,
  ) {}

  eventsToRegister(): ClusterEventWithHint[] {
    // With queueing hints on (the 1.32 default) node taint changes are not needed here.
    return [{ event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeLabel, label: 'NodeAdd|UpdateNodeLabel' }, hint: (pod, o, n) => this.isSchedulableAfterNodeChange(pod, o, n) }];
  }

  private isSchedulableAfterNodeChange(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
    const modified = newObj as Node | undefined;
    if (!modified) return 'Queue';
    if (this.addedNodeSelector && !this.addedNodeSelector.match(modified)) return 'QueueSkip';
    const required = new RequiredNodeAffinity(pod);
    if (!required.match(modified)) return 'QueueSkip';
    const original = oldObj as Node | undefined;
    if (!original) return 'Queue';
    // Only an unmatch -> match transition can help.
    return required.match(original) ? 'QueueSkip' : 'Queue';
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult; status: MaybeStatus } {
    const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    if (!required && !this.addedNodeSelector && pod.spec.nodeSelector === undefined) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, new PreFilterState(new RequiredNodeAffinity(pod)));
    if (!required || required.nodeSelectorTerms.length === 0) return { status: null };

    // Terms that pin metadata.name narrow the nodes worth filtering; terms are ORed, so one
    // term without such a pin means every node is a candidate.
    let nodeNames: Set<string> | undefined;
    for (const t of required.nodeSelectorTerms) {
      let termNames: Set<string> | undefined;
      for (const r of t.matchFields ?? []) {
        if (r.key !== 'metadata.name' || r.operator !== 'In') continue;
        const s = new Set(r.values ?? []);
        termNames = termNames ? new Set([...termNames].filter((n) => s.has(n))) : s;
      }
      if (!termNames) return { status: null };
      nodeNames = new Set([...(nodeNames ?? []), ...termNames]);
    }
    if (nodeNames && nodeNames.size === 0) return { status: Status.unresolvable(ErrReasonConflict) };
    return nodeNames ? { result: { nodeNames }, status: null } : { status: null };
  }

  preFilterExtensions(): null { return null; }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error('node not found');
    if (this.addedNodeSelector && !this.addedNodeSelector.match(node)) return Status.unresolvable(ErrReasonEnforced);
    // Computed here when PreFilter did not run (e.g. a disabled PreFilter point).
    const s = state.read<PreFilterState>(PRE_FILTER_KEY) ?? new PreFilterState(new RequiredNodeAffinity(pod));
    return s.required.match(node) ? null : Status.unresolvable(ErrReasonPod);
  }

  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus {
    if (nodes.length === 0) return null;
    const preferred = podPreferredTerms(pod);
    if (preferred?.errors.length) return Status.error(aggregateMessage(preferred.errors));
    if (!preferred && !this.addedPrefTerms) return Status.skip();
    state.write(PRE_SCORE_KEY, new PreScoreState(preferred));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const node = nodeInfo.node;
    let count = this.addedPrefTerms ? this.addedPrefTerms.score(node) : 0;
    let s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) {
      const preferred = podPreferredTerms(pod);
      if (preferred?.errors.length) return { score: 0, status: Status.error(aggregateMessage(preferred.errors)) };
      s = new PreScoreState(preferred);
    }
    if (s.preferred) count += s.preferred.score(node);
    return { score: count, status: null };
  }

  scoreExtensions(): ScoreExtensions { return this; }

  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    return defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

/** args: { addedAffinity?: NodeAffinity } (NodeAffinityArgs); invalid terms are rejected. */
export const NodeAffinityFactory: PluginFactory = (args) => {
  const added = args?.['addedAffinity'] as NodeAffinitySpec | undefined;
  if (!added) return new NodeAffinity(undefined, undefined);
  const base = 'addedAffinity';
  const req = added.requiredDuringSchedulingIgnoredDuringExecution;
  const sel = req ? new CompiledNodeSelector(req, fieldPath.child(base, 'requiredDuringSchedulingIgnoredDuringExecution')) : undefined;
  const prefTerms = added.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  const pref = prefTerms.length ? new PreferredTerms(prefTerms, fieldPath.child(base, 'preferredDuringSchedulingIgnoredDuringExecution')) : undefined;
  const errs = [...(sel?.errors ?? []), ...(pref?.errors ?? [])];
  if (errs.length) throw new Error(aggregateMessage(errs));
  return new NodeAffinity(sel, pref);
};
