import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ApiError, FakeClock, RestClient, type RequestOptions } from '@kube-ts/client';
import { TokenManager, type TokenRequestSpec } from '../../src/volume/token.js';

/** Answers TokenRequests with numbered tokens valid for expirationSeconds from the fake clock's now. */
class FakeTokenApi extends RestClient {
  calls: Array<{ path: string; body: unknown }> = [];
  fail = false;
  constructor(private readonly fake: FakeClock) { super({ server: 'http://127.0.0.1:1' }); }
  override async request<T>(o: RequestOptions): Promise<T> {
    this.calls.push({ path: o.path, body: o.body });
    if (this.fail) throw new ApiError({ status: 'Failure', code: 500, reason: 'InternalError', message: 'etcd is down' }, 500);
    const spec = (o.body as { spec: TokenRequestSpec }).spec;
    const exp = new Date(this.fake.now() + spec.expirationSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
    return { spec, status: { token: `tok-${this.calls.length}`, expirationTimestamp: exp } } as T;
  }
}

const spec: TokenRequestSpec = { expirationSeconds: 3607, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'uid-1' } };

describe('TokenManager', () => {
  it('caches, rotates after 80% of the lifetime, and posts a bound TokenRequest', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const api = new FakeTokenApi(clock);
    const tm = new TokenManager(api, clock, pino({ level: 'silent' }), () => 0.999);
    expect(await tm.getToken('ns', 'sa', spec)).toBe('tok-1');
    expect(api.calls[0]!.path).toBe('/api/v1/namespaces/ns/serviceaccounts/sa/token');
    expect(api.calls[0]!.body).toMatchObject({ kind: 'TokenRequest', apiVersion: 'authentication.k8s.io/v1', spec });
    // 80% of 3607 s is 2886 s (721 s before expiry); a 9 s jitter makes it 2877 s.
    await clock.step(2870_000);
    expect(await tm.getToken('ns', 'sa', spec)).toBe('tok-1');
    await clock.step(8_000);
    expect(await tm.getToken('ns', 'sa', spec)).toBe('tok-2');
    expect(api.calls).toHaveLength(2);
    // A different audience is a different token.
    expect(await tm.getToken('ns', 'sa', { ...spec, audiences: ['vault'] })).toBe('tok-3');
  });

  it('keeps serving the cached token when a refresh fails, until it expires', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const api = new FakeTokenApi(clock);
    const tm = new TokenManager(api, clock, pino({ level: 'silent' }), () => 0);
    expect(await tm.getToken('ns', 'sa', spec)).toBe('tok-1');
    api.fail = true;
    await clock.step(3000_000);
    expect(await tm.getToken('ns', 'sa', spec)).toBe('tok-1');
    await clock.step(700_000);
    await expect(tm.getToken('ns', 'sa', spec)).rejects.toThrow(/expired and refresh failed: etcd is down/);
    tm.deleteForPod('uid-1');
    await expect(tm.getToken('ns', 'sa', spec)).rejects.toThrow('failed to fetch token: etcd is down');
  });

  it('refreshes a long-lived token after 24h', async () => {
    const clock = new FakeClock(Date.UTC(2026, 5, 1));
    const api = new FakeTokenApi(clock);
    const tm = new TokenManager(api, clock, pino({ level: 'silent' }), () => 0);
    const long = { ...spec, expirationSeconds: 7 * 24 * 3600 };
    expect(await tm.getToken('ns', 'sa', long)).toBe('tok-1');
    await clock.step(24 * 3600_000 - 1000);
    expect(await tm.getToken('ns', 'sa', long)).toBe('tok-1');
    await clock.step(2000);
    expect(await tm.getToken('ns', 'sa', long)).toBe('tok-2');
  });
});
