// Schemas: events.k8s.io/v1 Event, as upstream's k8s.io/api/events/v1 types.go and generated.proto.
// Stored in the core/v1 Event shape (see registry/events.ts for the conversion).
import { type GVK, type ObjectType, S, f, i32, listType, obj, str, struct, time, topLevel } from '../dsl.js';

const N = 'io.k8s.api.events.v1';
const gvk: GVK = { group: 'events.k8s.io', version: 'v1', kind: 'Event' };
const OBJECT_REFERENCE = 'io.k8s.api.core.v1.ObjectReference';

export const types: ObjectType[] = [
  topLevel(`${N}.Event`, gvk, 'Event is a report of an event somewhere in the cluster; it is informational and best-effort.', {
    eventTime: f(S.microTime, 2, 'eventTime is when this Event was first observed.', { required: true }),
    series: obj(`${N}.EventSeries`, 3, 'series is data about the series this event represents; unset for a singleton Event.'),
    reportingController: str(4, 'reportingController is the name of the controller that emitted this Event, e.g. "kubernetes.io/kubelet".'),
    reportingInstance: str(5, 'reportingInstance is the ID of the controller instance, e.g. "kubelet-xyzf"; at most 128 characters.'),
    action: str(6, 'action is what was taken or failed regarding the regarding object; at most 128 characters.'),
    reason: str(7, 'reason is why the action was taken, in a machine readable form; at most 128 characters.'),
    regarding: obj(OBJECT_REFERENCE, 8, 'regarding is the object this Event is about.'),
    related: obj(OBJECT_REFERENCE, 9, 'related is an optional secondary object for more complex actions.'),
    note: str(10, 'note is a human-readable description of the status of this operation; at most 1kB.'),
    type: str(11, 'type of this event: Normal or Warning.'),
    deprecatedSource: obj('io.k8s.api.core.v1.EventSource', 12, 'deprecatedSource keeps compatibility with the core/v1 Event type.'),
    deprecatedFirstTimestamp: time(13, 'deprecatedFirstTimestamp keeps compatibility with the core/v1 Event type.'),
    deprecatedLastTimestamp: time(14, 'deprecatedLastTimestamp keeps compatibility with the core/v1 Event type.'),
    deprecatedCount: i32(15, 'deprecatedCount keeps compatibility with the core/v1 Event type.'),
  }),
  listType(`${N}.Event`, gvk, 'EventList is a list of Event objects.'),
  struct(`${N}.EventSeries`, 'EventSeries holds data on a series of events: an isomorphic event recurring within the heartbeat period.', {
    count: i32(1, 'count is the number of occurrences in this series up to the last heartbeat time.', { required: true }),
    lastObservedTime: f(S.microTime, 2, 'lastObservedTime is when the last Event of the series was seen before the last heartbeat.', { required: true }),
  }),
];
