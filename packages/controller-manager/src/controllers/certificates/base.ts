// CertificateController (pkg/controller/certificates/certificate_controller.go): a queue of CSR
// names fed by the CSR informer; each sync hands a copy of a CSR that has no certificate yet to
// the handler (signer or approver). Errors requeue with backoff.
import { unwrapTombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import type { CertificateSigningRequest } from './csr.js';

export function certificateController(ctx: ControllerContext, name: string, handler: (csr: CertificateSigningRequest) => Promise<void>): QueueController {
  const inf = ctx.informers.informerFor<CertificateSigningRequest>(R.certificatesigningrequests);
  const c = new QueueController({
    name, queueName: name, ctx, caches: [inf],
    sync: async (key) => {
      const csr = inf.store.get(key);
      // Gone, or already issued: nothing to do.
      if (!csr || csr.status?.certificate) return;
      await handler(structuredClone(csr));
    },
  });
  inf.addEventHandler({
    add: (o) => c.enqueue(o),
    update: (_o, n) => c.enqueue(n),
    delete: (o) => c.enqueue(unwrapTombstone(o)),
  });
  return c;
}
