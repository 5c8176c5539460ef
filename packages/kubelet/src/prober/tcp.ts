// TCP probes (pkg/probe/tcp): success when a connection opens within the timeout.
import { connect } from 'node:net';
import { dialError, joinHostPort } from './goerrors.js';
import { unrefTimeout, type ActionOutcome } from './outcome.js';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ActionOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const finish = (o: ActionOutcome): void => {
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const timer = unrefTimeout(timeoutMs, () => finish({ result: 'failure', output: `dial tcp ${addr}: i/o timeout` }));
    sock.once('connect', () => finish({ result: 'success', output: '' }));
    sock.once('error', (err) => finish({ result: 'failure', output: dialError(addr, err) }));
  });
}
