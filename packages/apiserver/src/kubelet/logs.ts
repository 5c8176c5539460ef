// GET pods/{name}/log: the kubelet's containerLogs response, streamed through unbuffered (upstream's
// LocationStreamer with its GenericHttpResponseChecker turning kubelet errors into Statuses).
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { ApiError } from '../api/errors.js';
import type { GroupResource, Status } from '../api/types.js';
import { kubeletTls, unknownError, type KubeletClientConfig } from './client.js';
import { goNetError } from './dial.js';
import { locationUrl, type KubeletLocation } from './locations.js';

/** Most of an error body read from the kubelet (upstream's maxReadLength). */
const MAX_ERROR_BODY = 50_000;

/** Upstream's NewGenericServerResponse for a backend status, with verb "" as the checker passes it. */
export function genericServerResponse(code: number, gr: GroupResource, name: string, serverMessage: string): ApiError {
  let reason: string | undefined;
  let message = `the server responded with the status code ${code} but did not return more information`;
  switch (code) {
    case 409: reason = 'Conflict'; message = 'the server reported a conflict'; break;
    case 404: reason = 'NotFound'; message = 'the server could not find the requested resource'; break;
    case 400: reason = 'BadRequest'; message = 'the server rejected our request for an unknown reason'; break;
    case 401: reason = 'Unauthorized'; message = 'the server has asked for the client to provide credentials'; break;
    case 403: reason = 'Forbidden'; message = serverMessage; break;
    case 406: reason = 'NotAcceptable'; message = serverMessage || 'the server was unable to respond with a content type that the client supports'; break;
    case 415: reason = 'UnsupportedMediaType'; message = serverMessage; break;
    case 405: reason = 'MethodNotAllowed'; message = 'the server does not allow this method on the requested resource'; break;
    case 422: reason = 'Invalid'; message = 'the server rejected our request due to an error in our request'; break;
    case 503: reason = 'ServiceUnavailable'; message = 'the server is currently unable to handle the request'; break;
    case 504: reason = 'Timeout'; message = 'the server was unable to return a response in the time allotted, but may still be processing the request'; break;
    case 429: reason = 'TooManyRequests'; message = 'the server has received too many requests and has asked us to try again later'; break;
    default:
      if (code >= 500) { reason = 'InternalError'; message = `an error on the server (${JSON.stringify(serverMessage)}) has prevented the request from succeeding`; }
  }
  const resource = gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
  const s: Status = {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `${message} ( ${resource} ${name})`,
    ...(reason ? { reason } : {}), details: { name, ...(gr.group ? { group: gr.group } : {}), kind: gr.resource }, code,
  };
  return new ApiError(s);
}

/** The Status a kubelet error response becomes (GenericHttpResponseChecker.Check). */
export function checkKubeletResponse(code: number, body: string, podName: string): ApiError {
  if (code === 500) {
    return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `Internal error occurred: ${body}`, reason: 'InternalError', details: { causes: [{ message: body }] }, code: 500 });
  }
  if (code === 400) return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: body, reason: 'BadRequest', code: 400 });
  return genericServerResponse(code, { group: '', resource: 'pods/log' }, podName, body);
}

/**
 * Opens the kubelet's log stream. Resolves with the response once its headers say success;
 * rejects with the Status to send otherwise. The caller pipes the response and destroys it
 * when the client goes away.
 */
export function openLogStream(cfg: KubeletClientConfig, loc: KubeletLocation, podName: string, insecureSkipVerify: boolean): Promise<IncomingMessage> {
  const url = locationUrl(loc);
  return new Promise((resolve, reject) => {
    const req = request({
      host: loc.host, port: loc.port, method: 'GET', path: `${loc.path}${loc.query ? `?${loc.query}` : ''}`,
      headers: { 'User-Agent': 'kube-apiserver' }, agent: false, ...kubeletTls(cfg, loc.host, insecureSkipVerify),
    });
    let connected = false;
    req.on('socket', (s) => s.once('secureConnect', () => { connected = true; }));
    // Only the wait for headers is bounded: a followed log may be quiet for hours.
    const timer = setTimeout(() => {
      req.destroy(Object.assign(new Error(connected ? 'net/http: timeout awaiting response headers' : 'i/o timeout'), connected ? {} : { code: 'KUBELET_DIAL_TIMEOUT' }));
    }, cfg.timeoutMs);
    req.on('error', (err: Error & { code?: string }) => {
      clearTimeout(timer);
      reject(unknownError(`Get ${JSON.stringify(url)}: ${goNetError(err, loc.host, loc.port)}`));
    });
    req.on('response', (res) => {
      clearTimeout(timer);
      const code = res.statusCode ?? 0;
      if (code >= 200 && code <= 206) { resolve(res); return; }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        if (size < MAX_ERROR_BODY) chunks.push(d.subarray(0, MAX_ERROR_BODY - size));
        size += d.length;
      });
      res.on('end', () => reject(checkKubeletResponse(code, Buffer.concat(chunks).toString(), podName)));
      res.on('error', (err) => reject(checkKubeletResponse(500, err.message, podName)));
    });
    req.end();
  });
}
