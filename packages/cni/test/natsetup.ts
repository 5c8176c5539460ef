// vitest globalSetup: test files that make bridges with ipMasq (CNI, kubelet on containerd) run in
// parallel, so no single file knows whether the run created iptables-nft's `table ip nat`. Decide
// once per run: drop it at the end if it was absent at the start and holds no rules.
import { dropNatTableIfCreated, isRoot, natTableExists } from './helpers.js';

export default async function setup(): Promise<() => Promise<void>> {
  const existed = isRoot() ? await natTableExists() : true;
  return () => dropNatTableIfCreated(existed);
}
