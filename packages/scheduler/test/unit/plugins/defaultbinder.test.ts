// DefaultBinder: ported from upstream default_binder_test.go (TestDefaultBinder).
import { describe, expect, it } from 'vitest';
import { Code } from '../../../src/framework/status.js';
import { DefaultBinder, DefaultBinderFactory } from '../../../src/plugins/defaultbinder.js';
import { fakeHandle, makePod, newState } from '../fixtures.js';

describe('DefaultBinder', () => {
  it('binds through the API', async () => {
    const h = fakeHandle();
    const b = DefaultBinderFactory(undefined, h) as DefaultBinder;
    expect(await b.bind(newState(), makePod('foo'), 'foohost.kubernetes.mydomain.com')).toBeNull();
    expect(h.calls).toEqual([{ op: 'bind', pod: 'foo', node: 'foohost.kubernetes.mydomain.com' }]);
  });

  it('turns an API error into an Error status', async () => {
    const h = fakeHandle({ api: { bind: async () => { throw new Error('binding rejected'); } } });
    const s = await (DefaultBinderFactory(undefined, h) as DefaultBinder).bind(newState(), makePod('foo'), 'n');
    expect(s?.code).toBe(Code.Error);
    expect(s?.message()).toBe('binding rejected');
    expect(s?.error?.message).toBe('binding rejected');
  });
});
