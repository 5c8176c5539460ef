// Namespace status conditions the deleter maintains (upstream status_condition_utils.go): every
// type is always present, True with the failure while something is wrong, else False with the
// "ok" reason and message; lastTransitionTime moves only when the status flips.

export interface NamespaceCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;
type ConditionType = (typeof CONDITION_TYPES)[number];

const OK_MESSAGES: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'All resources successfully discovered',
  NamespaceDeletionGroupVersionParsingFailure: 'All legacy kube types successfully parsed',
  NamespaceDeletionContentFailure: 'All content successfully deleted, may be waiting on finalization',
  NamespaceContentRemaining: 'All content successfully removed',
  NamespaceFinalizersRemaining: 'All content successfully removed',
};

const OK_REASONS: Record<ConditionType, string> = {
  NamespaceDeletionDiscoveryFailure: 'ResourcesDiscovered',
  NamespaceDeletionGroupVersionParsingFailure: 'ParsedGroupVersions',
  NamespaceDeletionContentFailure: 'ContentDeleted',
  NamespaceContentRemaining: 'ContentRemoved',
  NamespaceFinalizersRemaining: 'ContentRemoved',
};

/** What remains after one pass: instances per resource ("pods.", "deployments.apps") and per finalizer. */
export interface ContentTotals {
  resourceToNumRemaining: Map<string, number>;
  finalizersToNumRemaining: Map<string, number>;
}

/** Collects failures of one deletion pass and turns them into conditions. */
export class NamespaceConditionUpdater {
  private readonly newConditions: NamespaceCondition[] = [];
  private readonly deleteContentErrors: string[] = [];

  constructor(private readonly now: string) {}

  processDiscoverResourcesErr(err: Error & { groups?: Map<string, string> }): void {
    const msg = err.groups ? `Discovery failed for some groups, ${err.groups.size} failing: ${err.message}` : err.message;
    this.newConditions.push({ type: 'NamespaceDeletionDiscoveryFailure', status: 'True', lastTransitionTime: this.now, reason: 'DiscoveryFailed', message: msg });
  }

  processGroupVersionErr(err: Error): void {
    this.newConditions.push({ type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'True', lastTransitionTime: this.now, reason: 'GroupVersionParsingFailed', message: err.message });
  }

  processDeleteContentErr(err: Error): void { this.deleteContentErrors.push(err.message); }

  processContentTotals(t: ContentTotals): void {
    const resources = [...t.resourceToNumRemaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
    if (t.resourceToNumRemaining.size > 0) {
      this.newConditions.push({ type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: this.now, reason: 'SomeResourcesRemain', message: `Some resources are remaining: ${resources.join(', ')}` });
    }
    const finalizers = [...t.finalizersToNumRemaining].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
    if (t.finalizersToNumRemaining.size > 0) {
      this.newConditions.push({ type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: this.now, reason: 'SomeFinalizersRemain', message: `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}` });
    }
  }

  /** Returns the updated condition list, or undefined when nothing changed. */
  update(current: NamespaceCondition[] | undefined): NamespaceCondition[] | undefined {
    const fresh = [...this.newConditions];
    if (!fresh.some((c) => c.type === 'NamespaceDeletionContentFailure') && this.deleteContentErrors.length > 0) {
      const msgs = [...this.deleteContentErrors].sort();
      fresh.push({
        type: 'NamespaceDeletionContentFailure', status: 'True', lastTransitionTime: this.now, reason: 'ContentDeletionFailed',
        message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}`,
      });
    }
    const out = (current ?? []).map((c) => ({ ...c }));
    let changed = false;
    for (const type of CONDITION_TYPES) {
      const want = fresh.find((c) => c.type === type)
        ?? { type, status: 'False' as const, lastTransitionTime: this.now, reason: OK_REASONS[type], message: OK_MESSAGES[type] };
      const old = out.find((c) => c.type === type);
      if (!old) {
        out.push(want);
        changed = true;
      } else if (old.status !== want.status || old.message !== want.message || old.reason !== want.reason) {
        if (old.status !== want.status) old.lastTransitionTime = this.now;
        old.status = want.status;
        old.reason = want.reason;
        old.message = want.message;
        changed = true;
      }
    }
    return changed ? out : undefined;
  }
}
