// framework.CycleState: per-scheduling-cycle data that PreFilter/PreScore compute once and
// Filter/Score read per node. Preemption clones it to simulate removing victims.

export interface StateData { clone(): StateData }

export class CycleState {
  private readonly data = new Map<string, StateData>();
  /** Plugins whose PreFilter returned Skip (their Filter is not run). */
  skipFilterPlugins = new Set<string>();
  /** Plugins whose PreScore returned Skip (their Score is not run). */
  skipScorePlugins = new Set<string>();

  read<T extends StateData>(key: string): T | undefined { return this.data.get(key) as T | undefined; }
  write(key: string, v: StateData): void { this.data.set(key, v); }
  delete(key: string): void { this.data.delete(key); }

  clone(): CycleState {
    const c = new CycleState();
    for (const [k, v] of this.data) c.data.set(k, v.clone());
    c.skipFilterPlugins = new Set(this.skipFilterPlugins);
    c.skipScorePlugins = new Set(this.skipScorePlugins);
    return c;
  }
}
