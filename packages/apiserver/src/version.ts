// /version: kubectl dispatches to the kubectl matching the server's minor version, so report 1.32.
export const VERSION_INFO: Record<string, string> = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kube-ts.0.1.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-21T00:00:00Z',
  goVersion: `node${process.versions.node}`,
  compiler: 'tsc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};
