import { describe, expect, it } from 'vitest';
import { ControllersFlagError, selectControllers, UPSTREAM_DISABLED_BY_DEFAULT } from '../../src/registry.js';

describe('--controllers', () => {
  it('defaults to every controller on by default', () => {
    const s = selectControllers(undefined);
    expect(s.has('deployment-controller')).toBe(true);
    expect(s.has('garbage-collector-controller')).toBe(true);
    for (const d of UPSTREAM_DISABLED_BY_DEFAULT) expect(s.has(d)).toBe(false);
  });

  it.each([
    [['*', '-deployment'], 'deployment-controller', false],
    [['*', '-deployment-controller'], 'deployment-controller', false],
    [['*', 'bootstrapsigner'], 'bootstrap-signer-controller', true],
    [['job'], 'job-controller', true],
    [['job'], 'deployment-controller', false],
    [['*,-csrsigning'], 'certificatesigningrequest-signing-controller', false],
    [['-job', 'job'], 'job-controller', false],
  ])('%j -> %s enabled=%s', (flag, name, want) => {
    expect(selectControllers(flag).has(name)).toBe(want);
  });

  it('rejects unknown names with upstream message', () => {
    expect(() => selectControllers(['*', 'nope'])).toThrow(ControllersFlagError);
    expect(() => selectControllers(['-nope'])).toThrow('"nope" is not in the list of known controllers');
  });
});
