// Where a component finds the apiserver and its credentials: a kubeconfig file (clusters, users,
// contexts; paths relative to the file; *-data fields base64) or, inside a pod, the service
// account mount plus KUBERNETES_SERVICE_HOST/PORT, exactly as client-go's clientcmd and rest.InClusterConfig.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse as parseYaml } from 'yaml';

export interface ClientConfig {
  /** https://host:port (a path prefix is allowed). */
  server: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
  /** Re-read on each request after the cached copy is a minute old (rotated service account tokens). */
  tokenFile?: string;
  username?: string;
  password?: string;
  insecureSkipTLSVerify?: boolean;
  tlsServerName?: string;
  /** The context's default namespace. */
  namespace?: string;
  /** Client-side rate limit (client-go defaults: 5 qps, burst 10). */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Per-request timeout for non-watch calls (default 60 s). */
  timeoutMs?: number;
}

export class KubeconfigError extends Error {}

interface NamedCluster { name: string; cluster: Record<string, unknown> }
interface NamedUser { name: string; user: Record<string, unknown> }
interface NamedContext { name: string; context: { cluster?: string; user?: string; namespace?: string } }
interface KubeconfigFile {
  clusters?: NamedCluster[];
  users?: NamedUser[];
  contexts?: NamedContext[];
  'current-context'?: string;
}

function str(v: unknown): string | undefined { return typeof v === 'string' && v !== '' ? v : undefined; }

function readRel(base: string, p: string): Buffer {
  const f = isAbsolute(p) ? p : join(base, p);
  try { return readFileSync(f); } catch (e) { throw new KubeconfigError(`unable to read ${f}: ${(e as Error).message}`); }
}

/** Loads one or more kubeconfig files (KUBECONFIG semantics: the first file to set a name wins). */
export function loadKubeconfig(paths: string | string[], opts: { context?: string; server?: string } = {}): ClientConfig {
  const files = (Array.isArray(paths) ? paths : paths.split(':')).filter((p) => p !== '');
  const clusters = new Map<string, { base: string; c: Record<string, unknown> }>();
  const users = new Map<string, { base: string; u: Record<string, unknown> }>();
  const contexts = new Map<string, NamedContext['context']>();
  let current: string | undefined;
  let loaded = 0;
  for (const f of files) {
    if (!existsSync(f)) { if (files.length === 1) throw new KubeconfigError(`stat ${f}: no such file or directory`); continue; }
    let doc: KubeconfigFile;
    try { doc = (parseYaml(readFileSync(f, 'utf8')) ?? {}) as KubeconfigFile; } catch (e) {
      throw new KubeconfigError(`error loading config file "${f}": ${(e as Error).message}`);
    }
    loaded++;
    const base = dirname(f);
    for (const c of doc.clusters ?? []) if (c?.name && !clusters.has(c.name)) clusters.set(c.name, { base, c: c.cluster ?? {} });
    for (const u of doc.users ?? []) if (u?.name && !users.has(u.name)) users.set(u.name, { base, u: u.user ?? {} });
    for (const c of doc.contexts ?? []) if (c?.name && !contexts.has(c.name)) contexts.set(c.name, c.context ?? {});
    current ??= str(doc['current-context']);
  }
  if (loaded === 0) throw new KubeconfigError(`no kubeconfig found in ${files.join(':')}`);
  const ctxName = opts.context ?? current;
  if (!ctxName) throw new KubeconfigError('invalid configuration: no configuration has been provided');
  const ctx = contexts.get(ctxName);
  if (!ctx) throw new KubeconfigError(`context "${ctxName}" does not exist`);
  const cl = ctx.cluster ? clusters.get(ctx.cluster) : undefined;
  if (!cl) throw new KubeconfigError(`cluster "${ctx.cluster ?? ''}" of context "${ctxName}" does not exist`);
  const server = opts.server ?? str(cl.c.server);
  if (!server) throw new KubeconfigError(`invalid configuration: no server found for cluster "${ctx.cluster}"`);
  const cfg: ClientConfig = { server };
  const caData = str(cl.c['certificate-authority-data']);
  const caFile = str(cl.c['certificate-authority']);
  if (caData) cfg.ca = Buffer.from(caData, 'base64');
  else if (caFile) cfg.ca = readRel(cl.base, caFile);
  if (cl.c['insecure-skip-tls-verify'] === true) cfg.insecureSkipTLSVerify = true;
  const sni = str(cl.c['tls-server-name']);
  if (sni) cfg.tlsServerName = sni;
  const us = ctx.user ? users.get(ctx.user) : undefined;
  if (ctx.user && !us) throw new KubeconfigError(`user "${ctx.user}" of context "${ctxName}" does not exist`);
  if (us) {
    const u = us.u;
    const certData = str(u['client-certificate-data']);
    const certFile = str(u['client-certificate']);
    const keyData = str(u['client-key-data']);
    const keyFile = str(u['client-key']);
    if (certData) cfg.cert = Buffer.from(certData, 'base64'); else if (certFile) cfg.cert = readRel(us.base, certFile);
    if (keyData) cfg.key = Buffer.from(keyData, 'base64'); else if (keyFile) cfg.key = readRel(us.base, keyFile);
    if ((cfg.cert === undefined) !== (cfg.key === undefined)) {
      throw new KubeconfigError(`user "${ctx.user}": client-certificate and client-key must be set together`);
    }
    const token = str(u.token);
    const tokenFile = str(u.tokenFile);
    if (token) cfg.token = token;
    else if (tokenFile) cfg.tokenFile = isAbsolute(tokenFile) ? tokenFile : join(us.base, tokenFile);
    const username = str(u.username);
    if (username) { cfg.username = username; cfg.password = str(u.password) ?? ''; }
  }
  if (ctx.namespace) cfg.namespace = ctx.namespace;
  return cfg;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** rest.InClusterConfig: the pod's service account against the kubernetes Service. */
export function inClusterConfig(env: NodeJS.ProcessEnv = process.env, dir = SERVICE_ACCOUNT_DIR): ClientConfig {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) throw new KubeconfigError('unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined');
  const tokenFile = join(dir, 'token');
  if (!existsSync(tokenFile)) throw new KubeconfigError(`open ${tokenFile}: no such file or directory`);
  const cfg: ClientConfig = { server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`, tokenFile };
  const ca = join(dir, 'ca.crt');
  if (existsSync(ca)) cfg.ca = readFileSync(ca);
  const ns = join(dir, 'namespace');
  if (existsSync(ns)) cfg.namespace = readFileSync(ns, 'utf8').trim();
  return cfg;
}

/**
 * What upstream binaries do with `--kubeconfig` and `--master`: the file when given, else
 * in-cluster config, else $KUBECONFIG.
 */
export function buildConfig(kubeconfig?: string, master?: string, env: NodeJS.ProcessEnv = process.env, saDir = SERVICE_ACCOUNT_DIR): ClientConfig {
  if (kubeconfig) return loadKubeconfig(kubeconfig, master ? { server: master } : {});
  if (master && !env.KUBECONFIG) return { server: master };
  // As clientcmd: the in-cluster config is only used when neither --kubeconfig nor --master is given.
  if (!master) {
    try { return inClusterConfig(env, saDir); } catch { /* fall through to KUBECONFIG */ }
  }
  if (env.KUBECONFIG) return loadKubeconfig(env.KUBECONFIG, master ? { server: master } : {});
  throw new KubeconfigError('invalid configuration: no configuration has been provided, try setting KUBECONFIG or --kubeconfig');
}
