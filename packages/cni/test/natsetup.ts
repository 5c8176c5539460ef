// vitest globalSetup: test files that make bridges with ipMasq (CNI, kubelet on containerd) or run
// a kube-proxy on the host run in parallel, so no single file knows whether the run created
// iptables-nft's `table ip nat` / `filter` / `mangle`. Decide once per run: drop each at the end
// if it was absent at the start and holds no rules.
import { dropNatTableIfCreated, isRoot, natTableExists } from './helpers.js';

const TABLES = ['nat', 'filter', 'mangle'];

export default async function setup(): Promise<() => Promise<void>> {
  const existed = new Map<string, boolean>();
  for (const t of TABLES) existed.set(t, isRoot() ? await natTableExists(t) : true);
  return async () => {
    for (const t of TABLES) await dropNatTableIfCreated(existed.get(t) ?? true, t);
  };
}
