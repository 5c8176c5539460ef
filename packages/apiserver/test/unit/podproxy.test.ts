// Pod proxy resolution without a server: node address selection, container defaulting, log
// option decoding/validation and the kubelet URLs they become, kubelet error translation.
import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ApiError } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { kubeletPort, kubeletTls, parsePreferredAddressTypes, preferredNodeAddress, DEFAULT_PREFERRED_ADDRESS_TYPES } from '../../src/kubelet/client.js';
import { encodeValues, goQueryEscape, logLocation, podLogOptions, resolveContainer, streamLocation, type LocationSources } from '../../src/kubelet/locations.js';
import { checkKubeletResponse } from '../../src/kubelet/logs.js';
import { upgradeRequestHead } from '../../src/kubelet/upgrade.js';
import { goNetError } from '../../src/kubelet/dial.js';

const node = (addresses: Array<{ type: string; address: string }>, port?: number): KubeObject => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' },
  status: { addresses, ...(port !== undefined ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
});

const pod = (containers: string[], extra: { init?: string[]; nodeName?: string; annotations?: Record<string, string> } = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: {
    containers: containers.map((name) => ({ name, image: 'x' })),
    ...(extra.init ? { initContainers: extra.init.map((name) => ({ name, image: 'x' })) } : {}),
    ...(extra.nodeName ? { nodeName: extra.nodeName } : {}),
  },
});

function apiError(fn: () => unknown): ApiError {
  try { fn(); } catch (e) { if (e instanceof ApiError) return e; throw e; }
  throw new Error('expected an ApiError');
}

async function apiErrorAsync(p: Promise<unknown>): Promise<ApiError> {
  try { await p; } catch (e) { if (e instanceof ApiError) return e; throw e; }
  throw new Error('expected an ApiError');
}

const sources = (p: KubeObject): LocationSources => ({
  pod: async () => p,
  connection: async (nodeName) => ({ scheme: 'https', host: nodeName === 'n1' ? '10.0.0.5' : 'x', port: 10250 }),
});

describe('kubelet address selection', () => {
  it('takes the first address of the first preferred type present', () => {
    const n = node([{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'ExternalIP', address: '1.2.3.4' }, { type: 'Hostname', address: 'n1' }]);
    expect(preferredNodeAddress(n, DEFAULT_PREFERRED_ADDRESS_TYPES)).toBe('n1');
    expect(preferredNodeAddress(n, ['InternalIP', 'Hostname'])).toBe('10.0.0.5');
    expect(preferredNodeAddress(n, ['InternalDNS', 'ExternalIP'])).toBe('1.2.3.4');
    const two = node([{ type: 'InternalIP', address: '10.0.0.5' }, { type: 'InternalIP', address: '10.0.0.6' }]);
    expect(preferredNodeAddress(two, DEFAULT_PREFERRED_ADDRESS_TYPES)).toBe('10.0.0.5');
  });

  it('fails with upstream text when no preferred type is reported', () => {
    const e = apiError(() => preferredNodeAddress(node([{ type: 'InternalIP', address: '1.2.3.4' }]), ['Hostname']));
    expect(e.code).toBe(500);
    expect(e.status.reason).toBeUndefined();
    expect(e.message).toBe('no preferred addresses found; known addresses: [{InternalIP 1.2.3.4}]');
    expect(apiError(() => preferredNodeAddress(node([]), ['Hostname'])).message).toBe('no preferred addresses found; known addresses: []');
  });

  it('uses the reported kubelet port, else 10250', () => {
    expect(kubeletPort(node([], 12345))).toBe(12345);
    expect(kubeletPort(node([]))).toBe(10250);
    expect(kubeletPort(node([], 0))).toBe(10250);
  });

  it('parses --kubelet-preferred-address-types and rejects unknown types', () => {
    expect(parsePreferredAddressTypes('InternalIP, Hostname')).toEqual(['InternalIP', 'Hostname']);
    expect(() => parsePreferredAddressTypes('InternalIP,LegacyHostIP')).toThrow('LegacyHostIP is not a valid address type');
  });

  it('verifies the kubelet certificate only with a CA and without insecureSkipTLSVerifyBackend', () => {
    expect(kubeletTls({ preferredAddressTypes: [], timeoutMs: 1 }, '10.0.0.5').rejectUnauthorized).toBe(false);
    const withCa = { preferredAddressTypes: [], timeoutMs: 1, ca: 'PEM' };
    expect(kubeletTls(withCa, 'n1')).toMatchObject({ rejectUnauthorized: true, ca: 'PEM', servername: 'n1' });
    expect(kubeletTls(withCa, '10.0.0.5').servername).toBeUndefined();
    expect(kubeletTls(withCa, 'n1', true).rejectUnauthorized).toBe(false);
  });
});

describe('container resolution', () => {
  it('defaults a single container and checks a named one (init containers included)', () => {
    expect(resolveContainer(pod(['a']), '')).toBe('a');
    expect(resolveContainer(pod(['a', 'b'], { init: ['setup'] }), 'setup')).toBe('setup');
    expect(apiError(() => resolveContainer(pod(['a']), 'c'))).toMatchObject({ code: 400, message: 'container c is not valid for pod web' });
  });

  it('asks for a name among several, listing init containers first', () => {
    const e = apiError(() => resolveContainer(pod(['a', 'b'], { init: ['setup'] }), ''));
    expect(e.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'a container name must be specified for pod web, choose one of: [setup a b]' });
    expect(apiError(() => resolveContainer(pod([]), '')).message).toBe('a container name must be specified for pod web');
  });

  it('honours the default-container annotation when it names a container', () => {
    expect(resolveContainer(pod(['a', 'b'], { annotations: { 'kubectl.kubernetes.io/default-container': 'b' } }), '')).toBe('b');
    expect(() => resolveContainer(pod(['a', 'b'], { annotations: { 'kubectl.kubernetes.io/default-container': 'zz' } }), '')).toThrow('choose one of');
  });
});

describe('pods/log options', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);

  it('decodes booleans as the parameter codec does', () => {
    expect(podLogOptions(q('follow=true&timestamps=1&previous=false'), 'web')).toMatchObject({ follow: true, timestamps: true, previous: false });
    expect(podLogOptions(q('follow=&previous=0'), 'web')).toMatchObject({ follow: true, previous: false });
  });

  it('rejects undecodable numbers and times with the Go error text', () => {
    expect(apiError(() => podLogOptions(q('tailLines=ten'), 'web')).status).toMatchObject({ code: 400, message: 'strconv.ParseInt: parsing "ten": invalid syntax' });
    expect(apiError(() => podLogOptions(q('limitBytes=99999999999999999999'), 'web')).message).toBe('strconv.ParseInt: parsing "99999999999999999999": value out of range');
    expect(apiError(() => podLogOptions(q('sinceTime=yesterday'), 'web')).message).toContain('parsing time "yesterday" as "2006-01-02T15:04:05Z07:00"');
  });

  it('validates like ValidatePodLogOptions', () => {
    const e = apiError(() => podLogOptions(q('tailLines=-1&limitBytes=0'), 'web'));
    expect(e.status).toMatchObject({
      code: 422, reason: 'Invalid',
      message: 'PodLogOptions "web" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]',
    });
    expect(apiError(() => podLogOptions(q('sinceSeconds=0'), 'web')).message).toBe('PodLogOptions "web" is invalid: sinceSeconds: Invalid value: 0: must be greater than 0');
    expect(apiError(() => podLogOptions(q('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'), 'web')).message)
      .toBe('PodLogOptions "web" is invalid: : Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
  });

  it('builds the containerLogs URL with sorted, translated parameters', async () => {
    const o = podLogOptions(q('container=b&follow=true&tailLines=5&timestamps=true&sinceTime=2024-05-01T10:00:00.5%2B02:00&limitBytes=100&previous=true'), 'web');
    const loc = await logLocation(sources(pod(['a', 'b'], { nodeName: 'n1' })), 'default', 'web', o);
    expect(loc).toMatchObject({ host: '10.0.0.5', port: 10250, path: '/containerLogs/default/web/b' });
    expect(loc!.query).toBe('follow=true&limitBytes=100&previous=true&sinceTime=2024-05-01T08%3A00%3A00Z&tailLines=5&timestamps=true');
  });

  it('has no location for a pod without a node (an empty log)', async () => {
    expect(await logLocation(sources(pod(['a'])), 'default', 'web', podLogOptions(q(''), 'web'))).toBeUndefined();
  });
});

describe('exec, attach and portforward locations', () => {
  const q = (s: string): URLSearchParams => new URLSearchParams(s);

  it('translates stdin/stdout/stderr/tty and repeats command', async () => {
    const loc = await streamLocation(sources(pod(['a'], { nodeName: 'n1' })), 'exec', 'default', 'web', q('command=sh&command=-c&command=echo+hi%2A&stdin=true&stdout=true&tty=true&stderr=false'));
    expect(loc.path).toBe('/exec/default/web/a');
    expect(loc.query).toBe('command=sh&command=-c&command=echo+hi%2A&input=1&output=1&tty=1');
    const att = await streamLocation(sources(pod(['a', 'b'], { nodeName: 'n1' })), 'attach', 'default', 'web', q('container=b&stdout=1&stderr=1&command=ignored'));
    expect(att).toMatchObject({ path: '/attach/default/web/b', query: 'error=1&output=1' });
  });

  it('port-forwards to the pod without a container, joining ports', async () => {
    const loc = await streamLocation(sources(pod(['a', 'b'], { nodeName: 'n1' })), 'portforward', 'default', 'web', q('ports=80&ports=443,8080'));
    expect(loc).toMatchObject({ path: '/portForward/default/web', query: 'port=80%2C443%2C8080' });
    expect((await apiErrorAsync(streamLocation(sources(pod(['a'], { nodeName: 'n1' })), 'portforward', 'default', 'web', q('ports=http')))).message)
      .toBe('cannot convert to []int32: strconv.ParseUint: parsing "http": invalid syntax');
  });

  it('refuses a pod without a node and a bad container', async () => {
    expect((await apiErrorAsync(streamLocation(sources(pod(['a'])), 'exec', 'default', 'web', q('command=ls')))).status)
      .toMatchObject({ code: 400, reason: 'BadRequest', message: 'pod web does not have a host assigned' });
    expect((await apiErrorAsync(streamLocation(sources(pod(['a'])), 'portforward', 'default', 'web', q('')))).message).toBe('pod web does not have a host assigned');
    expect((await apiErrorAsync(streamLocation(sources(pod(['a', 'b'], { nodeName: 'n1' })), 'exec', 'default', 'web', q('command=ls')))).message)
      .toBe('a container name must be specified for pod web, choose one of: [a b]');
  });

  it("escapes query values as Go's url.QueryEscape", () => {
    expect(goQueryEscape("a b~c*d!e'(f)")).toBe('a+b~c%2Ad%21e%27%28f%29');
    expect(encodeValues([['b', '2'], ['a', '1'], ['b', '1']])).toBe('a=1&b=2&b=1');
  });
});

describe('kubelet responses and transport', () => {
  it('turns kubelet errors into Statuses like GenericHttpResponseChecker', () => {
    expect(checkKubeletResponse(400, 'container "c" in pod "web" is waiting to start: ContainerCreating', 'web').status)
      .toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: 'container "c" in pod "web" is waiting to start: ContainerCreating' });
    expect(checkKubeletResponse(500, 'boom', 'web').status).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: boom', details: { causes: [{ message: 'boom' }] } });
    expect(checkKubeletResponse(404, 'pod "web" does not exist', 'web').status)
      .toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource ( pods/log web)', details: { name: 'web', kind: 'pods/log' } });
    expect(checkKubeletResponse(503, 'x', 'web').status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect(checkKubeletResponse(502, 'bad gw', 'web').message).toBe('an error on the server ("bad gw") has prevented the request from succeeding ( pods/log web)');
  });

  it('speaks Go error text for network failures', () => {
    expect(goNetError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), '10.0.0.5', 10250)).toBe('dial tcp 10.0.0.5:10250: connect: connection refused');
    expect(goNetError(Object.assign(new Error('x'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' }), 'n', 1)).toBe('tls: failed to verify certificate: x509: certificate signed by unknown authority');
  });

  it('forwards the upgrade head to the kubelet without the client credentials', () => {
    const req = {
      method: 'POST', url: '/api/v1/namespaces/default/pods/web/exec?command=ls',
      rawHeaders: ['Host', 'apiserver:6443', 'Authorization', 'Bearer secret', 'Connection', 'Upgrade', 'Upgrade', 'SPDY/3.1', 'X-Stream-Protocol-Version', 'v4.channel.k8s.io', 'X-Stream-Protocol-Version', 'v3.channel.k8s.io', 'Impersonate-User', 'x', 'X-Forwarded-For', '10.9.9.9'],
      socket: { remoteAddress: '127.0.0.1' },
    } as unknown as IncomingMessage;
    const head = upgradeRequestHead(req, { scheme: 'https', host: '10.0.0.5', port: 10250, path: '/exec/default/web/a', query: 'command=ls&output=1' });
    expect(head).toBe([
      'POST /exec/default/web/a?command=ls&output=1 HTTP/1.1', 'Host: 10.0.0.5:10250', 'Connection: Upgrade', 'Upgrade: SPDY/3.1',
      'X-Stream-Protocol-Version: v4.channel.k8s.io', 'X-Stream-Protocol-Version: v3.channel.k8s.io', 'X-Forwarded-For: 10.9.9.9, 127.0.0.1', '', '',
    ].join('\r\n'));
  });
});
