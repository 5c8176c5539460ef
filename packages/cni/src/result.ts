import type { CniResult } from './types.js';

/** Serializes a result for the requested cniVersion (pre-1.0 results carry ips[].version). */
export function formatResult(r: CniResult, cniVersion: string): Record<string, unknown> {
  const legacy = cniVersion !== '1.0.0';
  const out: Record<string, unknown> = { cniVersion };
  if (r.interfaces) out['interfaces'] = r.interfaces;
  out['ips'] = (r.ips ?? []).map((ip) => {
    const o: Record<string, unknown> = {};
    if (legacy) o['version'] = ip.address.includes(':') ? '6' : '4';
    if (ip.interface !== undefined) o['interface'] = ip.interface;
    o['address'] = ip.address;
    if (ip.gateway !== undefined) o['gateway'] = ip.gateway;
    return o;
  });
  if (r.routes) out['routes'] = r.routes;
  out['dns'] = r.dns ?? {};
  return out;
}
