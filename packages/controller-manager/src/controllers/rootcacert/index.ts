// Root CA certificate publisher (pkg/controller/certificates/rootcacertpublisher): every namespace
// gets the ConfigMap kube-root-ca.crt holding --root-ca-file, so pods can verify the apiserver;
// edits and deletions are undone. Keys are namespace names.
import { readFileSync } from 'node:fs';
import { isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import { unwrapTombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { KubeObject, Namespace } from '@kube-ts/client/types';
import type { ControllerInit } from '../../context.js';
import { QueueController } from '../../controller.js';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. '
  + 'No other usage is guaranteed across distributions of Kubernetes clusters.';

export interface ConfigMap extends KubeObject { data?: Record<string, string>; binaryData?: Record<string, string> }

/** The ConfigMap as it should be: null when `cur` already matches (data equal, description set). */
export function desiredConfigMap(cur: ConfigMap | undefined, rootCA: string, ns: string): ConfigMap | null {
  const data = { 'ca.crt': rootCA };
  if (!cur) return { metadata: { name: ROOT_CA_CONFIGMAP, namespace: ns, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data };
  const d = cur.data ?? {};
  const same = Object.keys(d).length === 1 && d['ca.crt'] === rootCA;
  if (same && (cur.metadata.annotations?.[DESCRIPTION_ANNOTATION] ?? '').length > 0) return null;
  const next = structuredClone(cur);
  next.data = data;
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return next;
}

export const initRootCACertPublisher: ControllerInit = (ctx) => {
  const file = ctx.options.rootCAFile;
  if (!file) return 'no --root-ca-file: not publishing the root CA ConfigMap';
  let rootCA: string;
  try { rootCA = readFileSync(file, 'utf8'); } catch (e) { return `error reading root-ca-file at ${file}: ${(e as Error).message}`; }
  const nsInf = ctx.informers.informerFor<Namespace>(R.namespaces);
  const cmInf = ctx.informers.informerFor<ConfigMap>(R.configmaps);
  const cms = ctx.rest.resource<ConfigMap>(R.configmaps);

  const sync = async (ns: string): Promise<void> => {
    const cur = cmInf.store.get(`${ns}/${ROOT_CA_CONFIGMAP}`);
    const want = desiredConfigMap(cur, rootCA, ns);
    if (!want) return;
    if (!cur) {
      try {
        await cms.create(want);
      } catch (err) {
        // A namespace that is gone or terminating is not retried.
        if (isNotFound(err) || isNamespaceTerminating(err)) return;
        throw err;
      }
      return;
    }
    await cms.update(want);
  };

  const c = new QueueController({ name: 'root-ca-cert-publisher', queueName: 'root_ca_cert_publisher', ctx, sync, caches: [nsInf, cmInf] });
  nsInf.addEventHandler({
    add: (n) => c.enqueueKey(n.metadata.name!),
    update: (_o, n) => { if (n.status?.phase === 'Active') c.enqueueKey(n.metadata.name!); },
  });
  const onCM = (cm: ConfigMap): void => { if (cm.metadata.name === ROOT_CA_CONFIGMAP && cm.metadata.namespace) c.enqueueKey(cm.metadata.namespace); };
  cmInf.addEventHandler({ update: (_o, n) => onCM(n), delete: (o) => onCM(unwrapTombstone(o)) });
  return c;
};
