// RepackSubsets / SortSubsets (pkg/api/v1/endpoints/util.go): expand subsets to (address, port)
// pairs, regroup addresses that offer the same port set into one subset (an address not ready
// for any port of a group counts as not ready), then sort addresses by IP and target UID and
// ports and subsets by the md5 of their Go form, the canonical layout kubectl shows.
import type { EndpointAddress, EndpointPort, EndpointSubset } from '@kube-ts/client/services';
import { md5Bytes, spewCorePort, spewSubset } from './gohash.js';

function lessAddress(a: EndpointAddress, b: EndpointAddress): boolean {
  if (a.ip !== b.ip) return a.ip < b.ip;
  if (!b.targetRef) return false;
  if (!a.targetRef) return true;
  return (a.targetRef.uid ?? '') < (b.targetRef.uid ?? '');
}

export function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return lessAddress(a, b) ? -1 : lessAddress(b, a) ? 1 : 0;
}

function byHash<T>(items: T[], spew: (t: T) => string): T[] {
  const keyed = items.map((t) => ({ t, h: md5Bytes(spew(t)) }));
  keyed.sort((x, y) => Buffer.compare(x.h, y.h));
  return keyed.map((k) => k.t);
}

/** Sorts each subset's addresses and ports, then the subsets (returns a new array). */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const sorted = subsets.map((s) => {
    const out: EndpointSubset = {};
    if (s.addresses) out.addresses = [...s.addresses].sort(compareAddresses);
    if (s.notReadyAddresses) out.notReadyAddresses = [...s.notReadyAddresses].sort(compareAddresses);
    if (s.ports) out.ports = byHash(s.ports, spewCorePort);
    return out;
  });
  return byHash(sorted, spewSubset);
}

const SENTINEL: EndpointPort = { port: -1 };
const portKey = (p: EndpointPort): string => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);
const addrKey = (a: EndpointAddress): string => JSON.stringify([a.ip, a.targetRef?.uid ?? '']);

export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  // Addresses are de-duplicated by IP and target UID; the first occurrence is kept.
  const allAddrs = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: EndpointPort; addrs: Map<EndpointAddress, boolean> }>();
  const mapAddress = (addr: EndpointAddress, port: EndpointPort, ready: boolean): void => {
    const k = addrKey(addr);
    let existing = allAddrs.get(k);
    if (!existing) { existing = { ...addr }; allAddrs.set(k, existing); }
    const pk = portKey(port);
    let entry = byPort.get(pk);
    if (!entry) { entry = { port, addrs: new Map() }; byPort.set(pk, entry); }
    // Not ready wins over ready.
    const was = entry.addrs.get(existing);
    if (was === undefined || was) entry.addrs.set(existing, ready);
  };
  for (const s of subsets) {
    // Addresses without ports (headless services without ports) are kept under a sentinel port.
    const ports = s.ports && s.ports.length > 0 ? s.ports : [SENTINEL];
    for (const port of ports) {
      for (const a of s.addresses ?? []) mapAddress(a, port, true);
      for (const a of s.notReadyAddresses ?? []) mapAddress(a, port, false);
    }
  }
  // Group ports by the exact set of (address, readiness) that offers them.
  const groups = new Map<string, { addrs: Map<EndpointAddress, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = JSON.stringify([...addrs].sort(([a], [b]) => compareAddresses(a, b)).map(([a, r]) => [addrKey(a), r]));
    let g = groups.get(key);
    if (!g) { g = { addrs, ports: [] }; groups.set(key, g); }
    g.ports.push(port);
  }
  const final: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = []; const notReady: EndpointAddress[] = [];
    for (const [a, r] of g.addrs) (r ? ready : notReady).push(a);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (!(g.ports.length === 1 && g.ports[0] === SENTINEL)) s.ports = g.ports;
    final.push(s);
  }
  return sortSubsets(final);
}
