// Kubeconfig loading as clientcmd does it: contexts, overrides, paths relative to the file that
// names them, *-data fields, KUBECONFIG merging (the first file to set a name wins), and the
// in-cluster service account config. Every case writes its own files under a temp dir.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildConfig, inClusterConfig, KubeconfigError, loadKubeconfig } from '../../src/kubeconfig.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-')); });
afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

interface Doc {
  clusters?: Array<{ name: string; cluster: Record<string, unknown> }>;
  users?: Array<{ name: string; user: Record<string, unknown> }>;
  contexts?: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context'?: string;
}

function write(rel: string, content: string | Doc): string {
  const f = join(dir, rel);
  mkdirSync(join(f, '..'), { recursive: true });
  writeFileSync(f, typeof content === 'string' ? content : stringify({ apiVersion: 'v1', kind: 'Config', ...content }));
  return f;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** Two clusters, two users, two contexts; `prod` is current. */
const twoContexts: Doc = {
  clusters: [
    { name: 'prod', cluster: { server: 'https://prod.example:6443' } },
    { name: 'dev', cluster: { server: 'https://dev.example:6443', 'insecure-skip-tls-verify': true } },
  ],
  users: [
    { name: 'alice', user: { token: 'alice-token' } },
    { name: 'bob', user: { username: 'bob', password: 'secret' } },
  ],
  contexts: [
    { name: 'prod', context: { cluster: 'prod', user: 'alice', namespace: 'payments' } },
    { name: 'dev', context: { cluster: 'dev', user: 'bob' } },
  ],
  'current-context': 'prod',
};

describe('loadKubeconfig', () => {
  it('uses current-context: its cluster, user and namespace', () => {
    const cfg = loadKubeconfig(write('config', twoContexts));
    expect(cfg).toEqual({ server: 'https://prod.example:6443', token: 'alice-token', namespace: 'payments' });
  });

  it('a --context override picks another context', () => {
    const cfg = loadKubeconfig(write('config', twoContexts), { context: 'dev' });
    expect(cfg).toEqual({ server: 'https://dev.example:6443', insecureSkipTLSVerify: true, username: 'bob', password: 'secret' });
  });

  it('a --server (master) override replaces the cluster server only', () => {
    const cfg = loadKubeconfig(write('config', twoContexts), { server: 'https://10.0.0.1:443' });
    expect(cfg.server).toBe('https://10.0.0.1:443');
    expect(cfg.token).toBe('alice-token');
  });

  it('resolves certificate, key and CA paths relative to the kubeconfig file', () => {
    write('sub/pki/ca.crt', 'CA-PEM');
    write('sub/pki/client.crt', 'CERT-PEM');
    write('sub/pki/client.key', 'KEY-PEM');
    const f = write('sub/config', {
      clusters: [{ name: 'c', cluster: { server: 'https://h:6443', 'certificate-authority': 'pki/ca.crt', 'tls-server-name': 'kubernetes' } }],
      users: [{ name: 'u', user: { 'client-certificate': 'pki/client.crt', 'client-key': join(dir, 'sub/pki/client.key') } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const cfg = loadKubeconfig(f);
    expect(cfg.ca?.toString()).toBe('CA-PEM');
    expect(cfg.cert?.toString()).toBe('CERT-PEM');
    expect(cfg.key?.toString()).toBe('KEY-PEM');
    expect(cfg.tlsServerName).toBe('kubernetes');
  });

  it('decodes *-data fields from base64, preferring them over file paths', () => {
    const f = write('config', {
      clusters: [{ name: 'c', cluster: { server: 'https://h', 'certificate-authority-data': b64('CA-DATA'), 'certificate-authority': 'missing.crt' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64('CERT-DATA'), 'client-key-data': b64('KEY-DATA') } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    const cfg = loadKubeconfig(f);
    expect(cfg.ca?.toString()).toBe('CA-DATA');
    expect(cfg.cert?.toString()).toBe('CERT-DATA');
    expect(cfg.key?.toString()).toBe('KEY-DATA');
  });

  it('an unreadable certificate file is an error naming the resolved path', () => {
    const f = write('config', {
      clusters: [{ name: 'c', cluster: { server: 'https://h', 'certificate-authority': 'nope/ca.crt' } }],
      contexts: [{ name: 'x', context: { cluster: 'c' } }],
      'current-context': 'x',
    });
    expect(() => loadKubeconfig(f)).toThrow(KubeconfigError);
    expect(() => loadKubeconfig(f)).toThrow(join(dir, 'nope/ca.crt'));
  });

  it('a client certificate without its key is rejected', () => {
    const f = write('config', {
      clusters: [{ name: 'c', cluster: { server: 'https://h' } }],
      users: [{ name: 'u', user: { 'client-certificate-data': b64('CERT') } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    });
    expect(() => loadKubeconfig(f)).toThrow(/client-certificate and client-key must be set together/);
  });

  it('reads a static token, or keeps a tokenFile (resolved against the file) to re-read later', () => {
    const base: Doc = {
      clusters: [{ name: 'c', cluster: { server: 'https://h' } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    };
    const token = loadKubeconfig(write('a/config', { ...base, users: [{ name: 'u', user: { token: 'T' } }] }));
    expect(token.token).toBe('T');
    expect(token.tokenFile).toBeUndefined();
    const fileOnly = loadKubeconfig(write('b/config', { ...base, users: [{ name: 'u', user: { tokenFile: 'secrets/tok' } }] }));
    expect(fileOnly.token).toBeUndefined();
    expect(fileOnly.tokenFile).toBe(join(dir, 'b/secrets/tok'));
  });

  it.each([
    ['a context that is not defined', { ...twoContexts, 'current-context': 'staging' }, {}, /context "staging" does not exist/],
    ['an override naming a missing context', twoContexts, { context: 'nope' }, /context "nope" does not exist/],
    ['a context whose cluster is missing', { ...twoContexts, contexts: [{ name: 'prod', context: { cluster: 'gone', user: 'alice' } }] }, {}, /cluster "gone" of context "prod" does not exist/],
    ['a context whose user is missing', { ...twoContexts, contexts: [{ name: 'prod', context: { cluster: 'prod', user: 'carol' } }] }, {}, /user "carol" of context "prod" does not exist/],
    ['no current-context and no override', { ...twoContexts, 'current-context': undefined }, {}, /no configuration has been provided/],
    ['a cluster without a server', { ...twoContexts, clusters: [{ name: 'prod', cluster: {} }] }, {}, /no server found for cluster "prod"/],
  ] as Array<[string, Doc, { context?: string }, RegExp]>)('rejects %s', (_name, doc, opts, msg) => {
    const f = write('config', doc);
    expect(() => loadKubeconfig(f, opts)).toThrow(KubeconfigError);
    expect(() => loadKubeconfig(f, opts)).toThrow(msg);
  });

  it('a missing single file is an error', () => {
    expect(() => loadKubeconfig(join(dir, 'absent'))).toThrow(/no such file or directory/);
  });

  it('KUBECONFIG with two files: the first to set current-context or a name wins, the rest merge in', () => {
    write('one/ca.crt', 'CA-ONE');
    const one = write('one/config', {
      clusters: [{ name: 'shared', cluster: { server: 'https://one:6443', 'certificate-authority': 'ca.crt' } }],
      users: [{ name: 'u', user: { token: 'from-one' } }],
      contexts: [{ name: 'main', context: { cluster: 'shared', user: 'u' } }],
      'current-context': 'main',
    });
    write('two/ca.crt', 'CA-TWO');
    const two = write('two/config', {
      clusters: [
        { name: 'shared', cluster: { server: 'https://two:6443', 'certificate-authority': 'ca.crt' } },
        { name: 'extra', cluster: { server: 'https://extra:6443', 'certificate-authority': 'ca.crt' } },
      ],
      users: [{ name: 'u', user: { token: 'from-two' } }],
      contexts: [{ name: 'main', context: { cluster: 'extra', user: 'u' } }, { name: 'other', context: { cluster: 'extra', user: 'u' } }],
      'current-context': 'other',
    });
    const cfg = loadKubeconfig(`${one}:${two}`);
    expect(cfg.server).toBe('https://one:6443');
    expect(cfg.token).toBe('from-one');
    expect(cfg.ca?.toString()).toBe('CA-ONE');
    // A context only the second file defines still works, with its paths relative to that file.
    const other = loadKubeconfig([one, two], { context: 'other' });
    expect(other.server).toBe('https://extra:6443');
    expect(other.ca?.toString()).toBe('CA-TWO');
    expect(other.token).toBe('from-one');
    // Files that do not exist are skipped when others do.
    expect(loadKubeconfig(`${join(dir, 'missing')}:${two}`).server).toBe('https://extra:6443');
  });
});

describe('in-cluster config', () => {
  function serviceAccountDir(files: Record<string, string>): string {
    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(sa, name), text);
    return sa;
  }

  it('reads the token file path, CA and namespace from the service account dir and the host from env', () => {
    const sa = serviceAccountDir({ token: 'sa-token', 'ca.crt': 'SA-CA', namespace: 'kube-system\n' });
    const cfg = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, sa);
    expect(cfg).toEqual({ server: 'https://10.96.0.1:443', tokenFile: join(sa, 'token'), ca: Buffer.from('SA-CA'), namespace: 'kube-system' });
  });

  it('brackets an IPv6 service host', () => {
    const sa = serviceAccountDir({ token: 't' });
    expect(inClusterConfig({ KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, sa).server).toBe('https://[fd00::1]:443');
  });

  it('needs both env variables and the token file', () => {
    const sa = serviceAccountDir({ token: 't' });
    expect(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1' }, sa)).toThrow(/KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/);
    expect(() => inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, join(dir, 'empty'))).toThrow(/token: no such file or directory/);
  });
});

describe('buildConfig', () => {
  const env = (kubeconfig?: string): NodeJS.ProcessEnv => (kubeconfig ? { KUBECONFIG: kubeconfig } : {});

  it('an explicit --kubeconfig wins over $KUBECONFIG, and --master overrides its server', () => {
    const explicit = write('explicit', twoContexts);
    const fromEnv = write('env', { ...twoContexts, clusters: [{ name: 'prod', cluster: { server: 'https://env:6443' } }] });
    expect(buildConfig(explicit, undefined, env(fromEnv)).server).toBe('https://prod.example:6443');
    const withMaster = buildConfig(explicit, 'https://master:6443', env(fromEnv));
    expect(withMaster.server).toBe('https://master:6443');
    expect(withMaster.token).toBe('alice-token');
  });

  it('--master alone (no KUBECONFIG) is a bare server config', () => {
    expect(buildConfig(undefined, 'https://master:6443', {})).toEqual({ server: 'https://master:6443' });
  });

  it('without flags and outside a pod it falls back to $KUBECONFIG, with --master still overriding', () => {
    const fromEnv = write('env', twoContexts);
    expect(buildConfig(undefined, undefined, env(fromEnv)).server).toBe('https://prod.example:6443');
    expect(buildConfig(undefined, 'https://m:1', env(fromEnv)).server).toBe('https://m:1');
  });

  it('with only half of the in-cluster env it still falls back to $KUBECONFIG', () => {
    const fromEnv = write('env', twoContexts);
    expect(buildConfig(undefined, undefined, { ...env(fromEnv), KUBERNETES_SERVICE_HOST: '10.96.0.1' }).server).toBe('https://prod.example:6443');
  });

  it('with nothing to go on it says so', () => {
    expect(() => buildConfig(undefined, undefined, {})).toThrow(/no configuration has been provided, try setting KUBECONFIG or --kubeconfig/);
  });
});
