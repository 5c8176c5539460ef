// Schemas: scheduling.k8s.io/v1. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, f, topLevel, listType } from '../dsl.js';

const P = 'io.k8s.api.scheduling.v1.';
const gv = (kind: string): GVK => ({ group: 'scheduling.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(P + 'PriorityClass', gv('PriorityClass'), "PriorityClass defines mapping from a priority class name to the priority integer value.", {
    value: f(S.int32, 2, "value represents the integer value of this priority class.", {required: true}),
    globalDefault: f(S.boolean, 3, "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."),
    description: f(S.string, 4, "description is an arbitrary string that usually provides guidelines on when this priority class should be used."),
    preemptionPolicy: f(S.string, 5, "preemptionPolicy is the policy for preempting pods with lower priority; defaults to PreemptLowerPriority.", { enum: ['Never', 'PreemptLowerPriority'] }),
  }),
  listType(P + 'PriorityClass', gv('PriorityClass'), "PriorityClassList is a collection of priority classes."),
];
