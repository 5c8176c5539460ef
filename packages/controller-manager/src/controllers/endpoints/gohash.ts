// Upstream orders Endpoints subsets and ports, and EndpointSlice ports, by hashing the Go value as
// go-spew prints it with "%#v" (hashutil.DeepHashObject: md5; endpointslice's deepHashObject:
// fnv-128a). To produce the same order kubectl shows on a real cluster we print exactly the Go
// struct layouts involved (core/v1 EndpointSubset, EndpointAddress, ObjectReference, EndpointPort
// and discovery/v1 EndpointPort) the way spew does: "(type)value", struct fields "Name:value"
// separated by spaces, slice elements and pointer targets without their type, nil as "<nil>".
import { createHash } from 'node:crypto';
import type { EndpointAddress, EndpointPort, EndpointSubset } from '@kube-ts/client/services';
import type { ObjectReference } from '@kube-ts/client/types';

const str = (v: string | undefined): string => `(string)${v ?? ''}`;
const strPtr = (v: string | undefined, type = 'string'): string => (v === undefined ? `(*${type})<nil>` : `(*${type})${v}`);

function objectRefBody(r: ObjectReference): string {
  return `{Kind:${str(r.kind)} Namespace:${str(r.namespace)} Name:${str(r.name)} UID:(types.UID)${r.uid ?? ''} `
    + `APIVersion:${str(r.apiVersion)} ResourceVersion:${str(r.resourceVersion)} FieldPath:${str(r.fieldPath)}}`;
}

function addressBody(a: EndpointAddress): string {
  const ref = a.targetRef ? `(*v1.ObjectReference)${objectRefBody(a.targetRef)}` : '(*v1.ObjectReference)<nil>';
  return `{IP:${str(a.ip)} Hostname:${str(a.hostname)} NodeName:${strPtr(a.nodeName)} TargetRef:${ref}}`;
}

function corePortBody(p: EndpointPort): string {
  return `{Name:${str(p.name)} Port:(int32)${p.port} Protocol:(v1.Protocol)${p.protocol ?? ''} AppProtocol:${strPtr(p.appProtocol)}}`;
}

function list<T>(type: string, items: T[] | undefined, body: (t: T) => string): string {
  // A Go nil slice prints "<nil>", an empty one "[]"; the controller builds nil for "none".
  if (items === undefined) return `([]${type})<nil>`;
  return `([]${type})[${items.map(body).join(' ')}]`;
}

/** spew "%#v" of a core/v1 EndpointSubset. */
export function spewSubset(s: EndpointSubset): string {
  return `(v1.EndpointSubset){Addresses:${list('v1.EndpointAddress', s.addresses, addressBody)} `
    + `NotReadyAddresses:${list('v1.EndpointAddress', s.notReadyAddresses, addressBody)} `
    + `Ports:${list('v1.EndpointPort', s.ports, corePortBody)}}`;
}

/** spew "%#v" of a core/v1 EndpointPort. */
export function spewCorePort(p: EndpointPort): string { return `(v1.EndpointPort)${corePortBody(p)}`; }

/** A discovery/v1 EndpointPort: every field is a pointer (undefined = nil). */
export interface SlicePort { name?: string; protocol?: string; port?: number; appProtocol?: string }

/** spew "%#v" of a discovery/v1 EndpointPort. */
export function spewSlicePort(p: SlicePort): string {
  const port = p.port === undefined ? '(*int32)<nil>' : `(*int32)${p.port}`;
  return `(v1.EndpointPort){Name:${strPtr(p.name)} Protocol:${strPtr(p.protocol, 'v1.Protocol')} Port:${port} AppProtocol:${strPtr(p.appProtocol)}}`;
}

export function md5Bytes(s: string): Buffer { return createHash('md5').update(s, 'utf8').digest(); }

const FNV128_OFFSET = 0x6c62272e07bb014262b821756295c58dn;
const FNV128_PRIME = 0x0000000001000000000000000000013bn;
const MASK128 = (1n << 128n) - 1n;

/** FNV-1a 128-bit of the UTF-8 bytes of `s`, as Go's hex.EncodeToString(fnv.New128a().Sum(nil)). */
export function fnv128aHex(s: string): string {
  let h = FNV128_OFFSET;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= BigInt(b);
    h = (h * FNV128_PRIME) & MASK128;
  }
  return h.toString(16).padStart(32, '0');
}
