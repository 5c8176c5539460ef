// The in-tree plugin registry: upstream plugin names → factories (pkg/scheduler/framework/plugins/registry.go).
import type { PluginFactory } from '../framework/interface.js';
import { NodeResourcesBalancedAllocationFactory } from './balancedallocation.js';
import { DefaultBinderFactory } from './defaultbinder.js';
import { DefaultPreemptionFactory } from './defaultpreemption/index.js';
import { ImageLocalityFactory } from './imagelocality.js';
import { InterPodAffinityFactory } from './interpodaffinity/index.js';
import { NodeAffinityFactory } from './nodeaffinity.js';
import { NodeNameFactory } from './nodename.js';
import { NodePortsFactory } from './nodeports.js';
import { NodeResourcesFitFactory } from './noderesourcesfit/index.js';
import { NodeUnschedulableFactory } from './nodeunschedulable.js';
import { PodTopologySpreadFactory } from './podtopologyspread/index.js';
import { PrioritySortFactory } from './prioritysort.js';
import { SchedulingGatesFactory } from './schedulinggates.js';
import { TaintTolerationFactory } from './tainttoleration.js';

export function inTreeRegistry(): Map<string, PluginFactory> {
  return new Map<string, PluginFactory>([
    ['SchedulingGates', SchedulingGatesFactory],
    ['PrioritySort', PrioritySortFactory],
    ['NodeUnschedulable', NodeUnschedulableFactory],
    ['NodeName', NodeNameFactory],
    ['TaintToleration', TaintTolerationFactory],
    ['NodeAffinity', NodeAffinityFactory],
    ['NodePorts', NodePortsFactory],
    ['NodeResourcesFit', NodeResourcesFitFactory],
    ['PodTopologySpread', PodTopologySpreadFactory],
    ['InterPodAffinity', InterPodAffinityFactory],
    ['DefaultPreemption', DefaultPreemptionFactory],
    ['NodeResourcesBalancedAllocation', NodeResourcesBalancedAllocationFactory],
    ['ImageLocality', ImageLocalityFactory],
    ['DefaultBinder', DefaultBinderFactory],
  ]);
}
