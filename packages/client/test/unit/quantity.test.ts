// resource.Quantity parsing against upstream's values: MilliValue and Value round up (away from
// zero), binary suffixes are powers of two, decimal ones and exponents powers of ten.
import { describe, expect, it } from 'vitest';
import { milliValue, QuantityError, tryValue, value } from '../../src/quantity.js';

describe('milliValue', () => {
  it.each([
    ['100m', 100],
    ['1', 1000],
    ['0.5', 500],
    ['.5', 500],
    ['+1', 1000],
    ['0', 0],
    ['2k', 2_000_000],
    ['1e3', 1_000_000],
    ['1E3', 1_000_000],
    ['1.5e-3', 2],
    ['1Ki', 1_024_000],
    ['1n', 1],
    ['1u', 1],
    ['999999n', 1],
    ['1000001n', 2],
    ['1.5m', 2],
    ['250m', 250],
    ['-100m', -100],
    ['-2', -2000],
  ])('%s is %d milli', (q, want) => {
    expect(milliValue(q)).toBe(want);
  });

  it('accepts numbers as whole units', () => {
    expect(milliValue(0.25)).toBe(250);
    expect(milliValue(2)).toBe(2000);
    expect(milliValue(0.1)).toBe(100);
  });

  // Upstream rounds inexact values away from zero (negativeScaleInt64): -1.5m is -2 milli.
  it('rounds a negative inexact quantity away from zero, as upstream', () => {
    expect(milliValue('-1.5m')).toBe(-2);
  });

  // 2.031 × 2^20 × 1000 is exactly 2129657856: upstream computes exactly, so must we (no float product).
  it('scales a fractional binary quantity exactly (2.031Mi is 2129657856 milli)', () => {
    expect(milliValue('2.031Mi')).toBe(2_129_657_856);
    expect(milliValue('4.033Gi')).toBe(4_330_400_776_192);
  });
});

describe('value', () => {
  it.each([
    ['1Gi', 2 ** 30],
    ['1.5Gi', 1_610_612_736],
    ['0.1Gi', 107_374_183],
    ['1Mi', 1_048_576],
    ['512Ki', 524_288],
    ['1Ti', 2 ** 40],
    ['1Ei', 2 ** 60],
    ['1e3', 1000],
    ['1.5e3', 1500],
    ['2k', 2000],
    ['500M', 500_000_000],
    ['1G', 1e9],
    ['1E', 1e18],
    ['100m', 1],
    ['1n', 1],
    ['1001m', 2],
    ['3', 3],
  ])('%s is %d', (q, want) => {
    expect(value(q)).toBe(want);
  });
});

describe('invalid quantities', () => {
  it.each(['', 'abc', 'Gi', '1.2.3', '1Gb', '1K', '1KiB', '1e', '1e3.5', '--1', '1 Gi', '1mi', '0x10'])('%j throws', (q) => {
    expect(() => value(q)).toThrow(QuantityError);
    expect(() => milliValue(q)).toThrow(/quantities must match the regular expression/);
  });

  it('tryValue returns undefined instead of throwing', () => {
    expect(tryValue(undefined)).toBeUndefined();
    expect(tryValue('bogus')).toBeUndefined();
    expect(tryValue('1Mi')).toBe(1_048_576);
    expect(tryValue('250m', true)).toBe(250);
  });
});
