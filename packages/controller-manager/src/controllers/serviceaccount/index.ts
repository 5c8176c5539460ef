// ServiceAccountsController (pkg/controller/serviceaccount/serviceaccounts_controller.go): every
// active namespace gets the `default` ServiceAccount, and gets it back when it is deleted.
// Keys are namespace names; a sync reads both caches and creates what is missing.
import { isAlreadyExists, isNamespaceTerminating } from '@kube-ts/client/errors';
import { unwrapTombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { KubeObject, Namespace } from '@kube-ts/client/types';
import type { ControllerInit } from '../../context.js';
import { QueueController } from '../../controller.js';

/** Upstream's DefaultServiceAccountsControllerOptions: just `default`. */
export const SERVICE_ACCOUNTS_TO_ENSURE = ['default'];

export const initServiceAccount: ControllerInit = (ctx) => {
  const nsInf = ctx.informers.informerFor<Namespace>(R.namespaces);
  const saInf = ctx.informers.informerFor<KubeObject>(R.serviceaccounts);
  const sas = ctx.rest.resource<KubeObject>(R.serviceaccounts);

  const sync = async (ns: string): Promise<void> => {
    const nsObj = nsInf.store.get(ns);
    // Nothing is created in a namespace that is gone or not Active (terminating).
    if (!nsObj || nsObj.status?.phase !== 'Active') return;
    const errors: unknown[] = [];
    for (const name of SERVICE_ACCOUNTS_TO_ENSURE) {
      if (saInf.store.get(`${ns}/${name}`)) continue;
      try {
        await sas.create({ metadata: { name, namespace: ns } });
      } catch (err) {
        if (isAlreadyExists(err) || isNamespaceTerminating(err)) continue;
        errors.push(err);
      }
    }
    if (errors.length) throw errors.length === 1 ? errors[0] : new Error(errors.map(String).join(', '));
  };

  const c = new QueueController({ name: 'serviceaccount', queueName: 'serviceaccount', ctx, sync, caches: [nsInf, saInf] });
  nsInf.addEventHandler({
    add: (n) => c.enqueueKey(n.metadata.name!),
    update: (_o, n) => c.enqueueKey(n.metadata.name!),
  });
  saInf.addEventHandler({
    delete: (o) => { const sa = unwrapTombstone(o); if (sa.metadata.namespace) c.enqueueKey(sa.metadata.namespace); },
  });
  return c;
};

