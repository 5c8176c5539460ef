// Schemas: networking.k8s.io/v1 (NetworkPolicy, Ingress, IngressClass), as upstream's
// k8s.io/api/networking/v1 types.go and generated.proto.
import {
  type GVK, type ObjectType, META, S, f, i32, list, listType, obj, ref, str, struct, topLevel,
} from '../dsl.js';

const N = 'io.k8s.api.networking.v1';
const gvk = (kind: string): GVK => ({ group: 'networking.k8s.io', version: 'v1', kind });
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export const types: ObjectType[] = [
  // ---- NetworkPolicy ----
  topLevel(`${N}.NetworkPolicy`, gvk('NetworkPolicy'), 'NetworkPolicy describes what network traffic is allowed for a set of Pods.', {
    spec: obj(`${N}.NetworkPolicySpec`, 2, 'spec is the desired behavior for this NetworkPolicy.'),
  }),
  listType(`${N}.NetworkPolicy`, gvk('NetworkPolicy'), 'NetworkPolicyList is a list of NetworkPolicy objects.'),
  struct(`${N}.NetworkPolicySpec`, 'NetworkPolicySpec provides the specification of a NetworkPolicy.', {
    podSelector: obj(META.labelSelector, 1, 'podSelector selects the pods this policy applies to; an empty selector selects all pods in the namespace.'),
    ingress: list(ref(`${N}.NetworkPolicyIngressRule`), 2, 'ingress is a list of ingress rules applied to the selected pods.', { listType: 'atomic' }),
    egress: list(ref(`${N}.NetworkPolicyEgressRule`), 3, 'egress is a list of egress rules applied to the selected pods.', { listType: 'atomic' }),
    policyTypes: list(S.string, 4, 'policyTypes lists the rule types (Ingress, Egress) this policy relates to.', { listType: 'atomic' }),
  }),
  struct(`${N}.NetworkPolicyIngressRule`, 'NetworkPolicyIngressRule describes traffic allowed to the selected pods; it must match both ports and from.', {
    ports: list(ref(`${N}.NetworkPolicyPort`), 1, 'ports lists the ports made accessible on the selected pods.', { listType: 'atomic' }),
    from: list(ref(`${N}.NetworkPolicyPeer`), 2, 'from lists the sources allowed to reach the selected pods.', { listType: 'atomic' }),
  }),
  struct(`${N}.NetworkPolicyEgressRule`, 'NetworkPolicyEgressRule describes traffic allowed out of the selected pods; it must match both ports and to.', {
    ports: list(ref(`${N}.NetworkPolicyPort`), 1, 'ports lists the destination ports for outgoing traffic.', { listType: 'atomic' }),
    to: list(ref(`${N}.NetworkPolicyPeer`), 2, 'to lists the destinations for outgoing traffic.', { listType: 'atomic' }),
  }),
  struct(`${N}.NetworkPolicyPort`, 'NetworkPolicyPort describes a port to allow traffic on.', {
    protocol: str(1, 'protocol (TCP, UDP or SCTP) traffic must match; defaults to TCP.', { enum: PROTOCOLS }),
    port: f(S.intOrString, 2, 'port is a numerical or named port on the given protocol; unset matches all ports.'),
    endPort: i32(3, 'endPort, if set, makes the policy allow the range port..endPort inclusive.'),
  }),
  struct(`${N}.NetworkPolicyPeer`, 'NetworkPolicyPeer describes a peer to allow traffic to or from.', {
    podSelector: obj(META.labelSelector, 1, 'podSelector selects pods (in the policy namespace, or those chosen by namespaceSelector).'),
    namespaceSelector: obj(META.labelSelector, 2, 'namespaceSelector selects namespaces using cluster-scoped labels.'),
    ipBlock: obj(`${N}.IPBlock`, 3, 'ipBlock defines policy on a particular IP block.'),
  }),
  struct(`${N}.IPBlock`, 'IPBlock describes a CIDR (and exceptions) allowed to the pods selected by a policy.', {
    cidr: str(1, 'cidr is the IP block, e.g. "192.168.1.0/24" or "2001:db8::/64".', { required: true }),
    except: list(S.string, 2, 'except lists CIDRs excluded from cidr; values outside cidr are rejected.', { listType: 'atomic' }),
  }),

  // ---- Ingress ----
  topLevel(`${N}.Ingress`, gvk('Ingress'), 'Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend.', {
    spec: obj(`${N}.IngressSpec`, 2, 'spec is the desired state of the Ingress.'),
    status: obj(`${N}.IngressStatus`, 3, 'status is the current state of the Ingress.', { readOnly: true }),
  }),
  listType(`${N}.Ingress`, gvk('Ingress'), 'IngressList is a collection of Ingress.'),
  struct(`${N}.IngressSpec`, 'IngressSpec describes the Ingress the user wishes to exist.', {
    ingressClassName: str(4, 'ingressClassName is the name of the IngressClass cluster resource that implements this Ingress.'),
    defaultBackend: obj(`${N}.IngressBackend`, 1, 'defaultBackend handles requests that match no rule.'),
    tls: list(ref(`${N}.IngressTLS`), 2, 'tls represents the TLS configuration.', { listType: 'atomic' }),
    rules: list(ref(`${N}.IngressRule`), 3, 'rules is a list of host rules used to configure the Ingress.', { listType: 'atomic' }),
  }),
  struct(`${N}.IngressTLS`, 'IngressTLS describes the transport layer security associated with an ingress.', {
    hosts: list(S.string, 1, 'hosts lists the hosts included in the TLS certificate.', { listType: 'atomic' }),
    secretName: str(2, 'secretName is the name of the secret used to terminate TLS traffic on port 443.'),
  }),
  struct(`${N}.IngressStatus`, 'IngressStatus describes the current state of the Ingress.', {
    loadBalancer: obj(`${N}.IngressLoadBalancerStatus`, 1, 'loadBalancer contains the current status of the load-balancer.'),
  }),
  struct(`${N}.IngressLoadBalancerStatus`, 'IngressLoadBalancerStatus represents the status of a load-balancer.', {
    ingress: list(ref(`${N}.IngressLoadBalancerIngress`), 1, 'ingress lists the ingress points of the load-balancer.', { listType: 'atomic' }),
  }),
  struct(`${N}.IngressLoadBalancerIngress`, 'IngressLoadBalancerIngress represents the status of a load-balancer ingress point.', {
    ip: str(1, 'ip is set for IP-based load-balancer ingress points.'),
    hostname: str(2, 'hostname is set for DNS-based load-balancer ingress points.'),
    ports: list(ref(`${N}.IngressPortStatus`), 4, 'ports describes the ports exposed by this load-balancer.', { listType: 'atomic' }),
  }),
  struct(`${N}.IngressPortStatus`, 'IngressPortStatus represents the error condition of a service port.', {
    port: i32(1, 'port is the port number of the ingress port.', { required: true }),
    protocol: str(2, 'protocol is the protocol of the ingress port (TCP, UDP or SCTP).', { required: true, enum: PROTOCOLS }),
    error: str(3, 'error records a problem with the service port, as a CamelCase reason.'),
  }),
  // Upstream embeds IngressRuleValue inline: `http` sits in the rule in JSON but inside message
  // field 2 in protobuf, so it carries no number here (src/schema/protobuf.ts knows the embedding).
  struct(`${N}.IngressRule`, 'IngressRule maps the paths under a host to backend services.', {
    host: str(1, 'host is the fully qualified domain name of a network host (a leading "*." wildcard is allowed).'),
    http: obj(`${N}.HTTPIngressRuleValue`, undefined, 'http is a list of http selectors pointing to backends.'),
  }),
  struct(`${N}.HTTPIngressRuleValue`, 'HTTPIngressRuleValue is a list of http selectors pointing to backends.', {
    paths: list(ref(`${N}.HTTPIngressPath`), 1, 'paths maps request paths to backends.', { required: true, listType: 'atomic' }),
  }),
  struct(`${N}.HTTPIngressPath`, 'HTTPIngressPath associates a path with a backend.', {
    path: str(1, 'path is matched against the path of an incoming request.'),
    pathType: str(3, 'pathType determines how path is matched: Exact, Prefix or ImplementationSpecific.', { required: true, enum: ['Exact', 'ImplementationSpecific', 'Prefix'] }),
    backend: obj(`${N}.IngressBackend`, 2, 'backend is the service endpoint traffic is forwarded to.', { required: true }),
  }),
  struct(`${N}.IngressBackend`, 'IngressBackend describes all endpoints for a given service and port.', {
    service: obj(`${N}.IngressServiceBackend`, 4, 'service references a service as a backend; mutually exclusive with resource.'),
    resource: obj('io.k8s.api.core.v1.TypedLocalObjectReference', 3, 'resource references another object in the Ingress namespace as a backend; mutually exclusive with service.'),
  }),
  struct(`${N}.IngressServiceBackend`, 'IngressServiceBackend references a Kubernetes Service as a backend.', {
    name: str(1, 'name is the referenced service, in the same namespace as the Ingress.', { required: true }),
    port: obj(`${N}.ServiceBackendPort`, 2, 'port of the referenced service; a port name or number is required.'),
  }),
  struct(`${N}.ServiceBackendPort`, 'ServiceBackendPort is the service port being referenced.', {
    name: str(1, 'name is the name of the port on the Service; mutually exclusive with number.'),
    number: i32(2, 'number is the numerical port number on the Service; mutually exclusive with name.'),
  }, { mapType: 'atomic' }),

  // ---- IngressClass ----
  topLevel(`${N}.IngressClass`, gvk('IngressClass'), 'IngressClass represents the class of an Ingress, referenced by the Ingress spec.', {
    spec: obj(`${N}.IngressClassSpec`, 2, 'spec is the desired state of the IngressClass.'),
  }),
  listType(`${N}.IngressClass`, gvk('IngressClass'), 'IngressClassList is a collection of IngressClasses.'),
  struct(`${N}.IngressClassSpec`, 'IngressClassSpec provides information about the class of an Ingress.', {
    controller: str(1, 'controller is the domain-prefixed path of the controller that handles this class, e.g. "example.com/ingress-controller"; immutable.'),
    parameters: obj(`${N}.IngressClassParametersReference`, 2, 'parameters links to a resource holding additional configuration for the controller.'),
  }),
  struct(`${N}.IngressClassParametersReference`, 'IngressClassParametersReference identifies an API object, cluster or namespace scoped.', {
    apiGroup: str(1, 'apiGroup is the group of the referenced resource; unset means the core group.'),
    kind: str(2, 'kind is the type of the referenced resource.', { required: true }),
    name: str(3, 'name is the name of the referenced resource.', { required: true }),
    scope: str(4, 'scope is "Cluster" (default) or "Namespace".'),
    namespace: str(5, 'namespace of the referenced resource; required when scope is "Namespace".'),
  }),
];
