// Schemas: discovery.k8s.io/v1 EndpointSlice, as upstream's k8s.io/api/discovery/v1 types.go and generated.proto.
import { type GVK, type ObjectType, S, bool, i32, list, listType, map, obj, ref, str, struct, topLevel } from '../dsl.js';

const N = 'io.k8s.api.discovery.v1';
const gvk: GVK = { group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' };

export const types: ObjectType[] = [
  topLevel(`${N}.EndpointSlice`, gvk, 'EndpointSlice represents a set of service endpoints; a Service is usually backed by several slices.', {
    addressType: str(4, 'addressType is the type of address carried by this slice: IPv4, IPv6 or FQDN; immutable.', { required: true, enum: ['FQDN', 'IPv4', 'IPv6'] }),
    endpoints: list(ref(`${N}.Endpoint`), 2, 'endpoints is a list of unique endpoints in this slice; at most 1000.', { required: true, listType: 'atomic' }),
    ports: list(ref(`${N}.EndpointPort`), 3, 'ports lists the network ports exposed by each endpoint; empty means no ports restriction.', { listType: 'atomic' }),
  }),
  listType(`${N}.EndpointSlice`, gvk, 'EndpointSliceList represents a list of endpoint slices.'),
  struct(`${N}.Endpoint`, 'Endpoint represents a single logical backend implementing a service.', {
    addresses: list(S.string, 1, 'addresses of this endpoint, interpreted per the slice addressType; 1 to 100 values.', { required: true, listType: 'set' }),
    conditions: obj(`${N}.EndpointConditions`, 2, 'conditions holds the current status of the endpoint.'),
    hostname: str(3, 'hostname of this endpoint, a DNS label.'),
    targetRef: obj('io.k8s.api.core.v1.ObjectReference', 4, 'targetRef references the object (usually a Pod) this endpoint represents.'),
    deprecatedTopology: map(S.string, 5, 'deprecatedTopology holds v1beta1 topology information; deprecated.'),
    nodeName: str(6, 'nodeName is the Node hosting this endpoint.'),
    zone: str(7, 'zone is the zone this endpoint exists in.'),
    hints: obj(`${N}.EndpointHints`, 8, 'hints describe how this endpoint should be consumed.'),
  }),
  struct(`${N}.EndpointConditions`, 'EndpointConditions represents the current condition of an endpoint.', {
    ready: bool(1, 'ready says the endpoint is ready to receive traffic; unset means ready.'),
    serving: bool(2, 'serving says the endpoint can receive traffic, regardless of terminating state.'),
    terminating: bool(3, 'terminating says the endpoint is terminating.'),
  }),
  struct(`${N}.EndpointHints`, 'EndpointHints describe how an endpoint should be consumed.', {
    forZones: list(ref(`${N}.ForZone`), 1, 'forZones lists the zones that should consume this endpoint; at most 8.', { listType: 'atomic' }),
    forNodes: list(ref(`${N}.ForNode`), 2, 'forNodes lists the nodes that should consume this endpoint.', { listType: 'atomic' }),
  }),
  struct(`${N}.ForZone`, 'ForZone says which zone should consume an endpoint.', {
    name: str(1, 'name of the zone.', { required: true }),
  }),
  struct(`${N}.ForNode`, 'ForNode says which node should consume an endpoint.', {
    name: str(1, 'name of the node.', { required: true }),
  }),
  struct(`${N}.EndpointPort`, 'EndpointPort represents a port used by an EndpointSlice.', {
    name: str(1, 'name of this port, a DNS label; must be unique in the slice.'),
    protocol: str(2, 'protocol of this port: TCP (default), UDP or SCTP.', { enum: ['SCTP', 'TCP', 'UDP'] }),
    port: i32(3, 'port number of the endpoint; unset means all ports.'),
    appProtocol: str(4, 'appProtocol is the application protocol, e.g. a IANA service name or "kubernetes.io/h2c".'),
  }, { mapType: 'atomic' }),
];
