// TLS connections to a kubelet, and Node's network errors in the words Go's net and crypto/tls
// packages use, since upstream passes those texts to the client ("dial tcp 10.0.0.5:10250:
// connect: connection refused").
import { connect, type TLSSocket } from 'node:tls';
import { joinHostPort, kubeletTls, type KubeletClientConfig } from './client.js';

const TLS_UNTRUSTED = new Set(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY']);

/** Go's text for a failed dial, TLS handshake or read of a kubelet connection. */
export function goNetError(err: Error & { code?: string; syscall?: string }, host: string, port: number): string {
  const addr = joinHostPort(host, port);
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH': return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ETIMEDOUT': case 'KUBELET_DIAL_TIMEOUT': return `dial tcp ${addr}: i/o timeout`;
    case 'ENOTFOUND': case 'EAI_AGAIN': return `dial tcp: lookup ${host}: no such host`;
    case 'ECONNRESET': return `read tcp ${addr}: read: connection reset by peer`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is valid for other names, not ${host}`;
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    default:
      if (err.code && TLS_UNTRUSTED.has(err.code)) return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
      return err.message;
  }
}

/** Opens TLS to the kubelet; rejects with a code-carrying error after cfg.timeoutMs. */
export function dialKubelet(cfg: KubeletClientConfig, host: string, port: number, insecureSkipVerify = false): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, ...kubeletTls(cfg, host, insecureSkipVerify) });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error('i/o timeout'), { code: 'KUBELET_DIAL_TIMEOUT' }));
    }, cfg.timeoutMs);
    sock.once('secureConnect', () => { clearTimeout(timer); sock.removeListener('error', onError); resolve(sock); });
    const onError = (err: Error): void => { clearTimeout(timer); sock.destroy(); reject(err); };
    sock.once('error', onError);
  });
}
