// The Priority admission plugin through the real kubectl on raftkv: pods get spec.priority and
// spec.preemptionPolicy from their PriorityClass (or the global default), unknown classes and
// hand-set priorities are forbidden, updates keep what create set, and only one class may be the
// global default. The global-default case runs last: it changes what every later pod gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster.js';

const podYaml = (name: string, extra: string[] = []): string => [
  'apiVersion: v1', 'kind: Pod', `metadata: {name: ${name}}`, 'spec:', ...extra.map((l) => `  ${l}`),
  '  containers: [{name: app, image: nginx}]',
].join('\n') + '\n';

describe('Priority admission through kubectl on raftkv', () => {
  let c: Cluster;
  beforeAll(async () => { c = await startCluster('raftkv'); });
  afterAll(async () => { await c?.teardown(); });

  const jsonpath = (pod: string, path: string): Promise<string> => c.kubectlOk(['get', 'pod', pod, '-o', `jsonpath={${path}}`]);

  it('sets priority and preemptionPolicy from the named PriorityClass', async () => {
    await c.kubectlOk(['create', 'priorityclass', 'high', '--value=1000']);
    await c.kubectlOk(['create', 'priorityclass', 'gentle', '--value=500', '--preemption-policy=Never']);
    await c.kubectlOk(['create', '-f', '-'], podYaml('hi', ['priorityClassName: high']));
    await c.kubectlOk(['create', '-f', '-'], podYaml('soft', ['priorityClassName: gentle']));
    expect(await jsonpath('hi', '.spec.priority')).toBe('1000');
    expect(await jsonpath('hi', '.spec.preemptionPolicy')).toBe('PreemptLowerPriority');
    expect(await jsonpath('soft', '.spec.priority')).toBe('500');
    expect(await jsonpath('soft', '.spec.preemptionPolicy')).toBe('Never');
  });

  it('resolves the system classes, and gives 0 without a class', async () => {
    await c.kubectlOk(['create', '-f', '-'], podYaml('crit', ['priorityClassName: system-node-critical']));
    await c.kubectlOk(['run', 'plain', '--image=nginx']);
    expect(await jsonpath('crit', '.spec.priority')).toBe('2000001000');
    expect(await jsonpath('plain', '.spec.priority')).toBe('0');
    expect(await jsonpath('plain', '.spec.preemptionPolicy')).toBe('PreemptLowerPriority');
    expect(await jsonpath('plain', '.spec.priorityClassName')).toBe('');
  });

  it('forbids an unknown class', async () => {
    const r = await c.kubectl(['create', '-f', '-'], podYaml('orphan', ['priorityClassName: missing']));
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('Error from server (Forbidden): error when creating "STDIN": pods "orphan" is forbidden: no PriorityClass with name missing was found');
    expect((await c.kubectl(['get', 'pod', 'orphan'])).code).not.toBe(0);
  });

  it('forbids a hand-set priority or preemptionPolicy that differs from the class', async () => {
    const r = await c.kubectl(['create', '-f', '-'], podYaml('cheat', ['priorityClassName: high', 'priority: 5']));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pods "cheat" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
    const p = await c.kubectl(['create', '-f', '-'], podYaml('cheat', ['priorityClassName: high', 'preemptionPolicy: Never']));
    expect(p.stderr).toContain('pods "cheat" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
    // The same value as the class is fine.
    await c.kubectlOk(['create', '-f', '-'], podYaml('honest', ['priorityClassName: high', 'priority: 1000']));
  });

  it('keeps the priority on an update that leaves it out, and forbids changing it', async () => {
    await c.kubectlOk(['replace', '-f', '-'], podYaml('hi', ['priorityClassName: high']));
    expect(await jsonpath('hi', '.spec.priority')).toBe('1000');
    const r = await c.kubectl(['patch', 'pod', 'hi', '--type=merge', '-p', '{"spec":{"priority":1}}']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('pod updates may not change fields other than');
    expect(await jsonpath('hi', '.spec.priority')).toBe('1000');
  });

  it('uses the global default for pods without a class, and allows only one default', async () => {
    await c.kubectlOk(['create', 'priorityclass', 'dflt', '--value=50', '--global-default']);
    const r = await c.kubectl(['create', 'priorityclass', 'dflt2', '--value=60', '--global-default']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim()).toBe('error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "dflt2" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist');
    const u = await c.kubectl(['patch', 'priorityclass', 'high', '--type=merge', '-p', '{"globalDefault":true}']);
    expect(u.stderr).toContain('priorityclasses.scheduling.k8s.io "high" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist');
    await c.kubectlOk(['run', 'defaulted', '--image=nginx']);
    expect(await jsonpath('defaulted', '.spec.priorityClassName')).toBe('dflt');
    expect(await jsonpath('defaulted', '.spec.priority')).toBe('50');
  });
});
