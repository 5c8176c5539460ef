import { describe, expect, it } from 'vitest';
import { parseThresholds, parseGoDuration, thresholdQuantity, type EvictionConfig, type Threshold } from '../../src/eviction/index.js';
import { formatQuantity, newQuantity, parseQuantity } from '../../src/eviction/quantity.js';

function cfg(p: Partial<EvictionConfig>): EvictionConfig {
  return {
    evictionHard: {},
    evictionSoft: {},
    evictionSoftGracePeriod: {},
    evictionPressureTransitionPeriodMs: 300_000,
    evictionMinimumReclaim: {},
    evictionMaxPodGracePeriod: 0,
    ...p,
  };
}

/** A comparable view: signal, value text, grace, min reclaim text. */
function view(t: Threshold): string {
  const v = (x: Threshold['value'] | undefined): string => (x === undefined ? '-' : x.quantity ? formatQuantity(x.quantity) : `${Math.round(x.percentage * 1e6) / 1e4}%`);
  return `${t.signal}<${v(t.value)} grace=${t.gracePeriodMs} min=${v(t.minReclaim)}`;
}

describe('parseThresholds (upstream TestParseThresholdConfig)', () => {
  const ok: Array<[string, Partial<EvictionConfig>, string[]]> = [
    ['no values', {}, []],
    [
      'all flag values',
      { evictionHard: { 'memory.available': '150Mi' }, evictionSoft: { 'memory.available': '300Mi' }, evictionSoftGracePeriod: { 'memory.available': '30s' }, evictionMinimumReclaim: { 'memory.available': '0' } },
      ['memory.available<150Mi grace=0 min=0', 'memory.available<300Mi grace=30000 min=0'],
    ],
    [
      'all flag values in percentages',
      { evictionHard: { 'memory.available': '10%' }, evictionSoft: { 'memory.available': '30%' }, evictionSoftGracePeriod: { 'memory.available': '30s' }, evictionMinimumReclaim: { 'memory.available': '5%' } },
      ['memory.available<10% grace=0 min=5%', 'memory.available<30% grace=30000 min=5%'],
    ],
    [
      'disk flag values',
      {
        evictionHard: { 'imagefs.available': '150Mi', 'nodefs.available': '100Mi' },
        evictionSoft: { 'imagefs.available': '300Mi', 'nodefs.available': '200Mi' },
        evictionSoftGracePeriod: { 'imagefs.available': '30s', 'nodefs.available': '30s' },
        evictionMinimumReclaim: { 'imagefs.available': '2Gi', 'nodefs.available': '1Gi' },
      },
      [
        'imagefs.available<150Mi grace=0 min=2Gi',
        'nodefs.available<100Mi grace=0 min=1Gi',
        'imagefs.available<300Mi grace=30000 min=2Gi',
        'nodefs.available<200Mi grace=30000 min=1Gi',
      ],
    ],
    [
      'disk flag values in percentages',
      {
        evictionHard: { 'imagefs.available': '15%', 'nodefs.available': '10.5%' },
        evictionSoft: { 'imagefs.available': '30%', 'nodefs.available': '20.5%' },
        evictionSoftGracePeriod: { 'imagefs.available': '30s', 'nodefs.available': '30s' },
        evictionMinimumReclaim: { 'imagefs.available': '10%', 'nodefs.available': '5%' },
      },
      [
        'imagefs.available<15% grace=0 min=10%',
        'nodefs.available<10.5% grace=0 min=5%',
        'imagefs.available<30% grace=30000 min=10%',
        'nodefs.available<20.5% grace=30000 min=5%',
      ],
    ],
    [
      'inode flag values',
      {
        evictionHard: { 'imagefs.inodesFree': '150Mi', 'nodefs.inodesFree': '100Mi' },
        evictionSoft: { 'imagefs.inodesFree': '300Mi', 'nodefs.inodesFree': '200Mi' },
        evictionSoftGracePeriod: { 'imagefs.inodesFree': '30s', 'nodefs.inodesFree': '1m30s' },
        evictionMinimumReclaim: { 'imagefs.inodesFree': '2Gi', 'nodefs.inodesFree': '1Gi' },
      },
      [
        'imagefs.inodesFree<150Mi grace=0 min=2Gi',
        'nodefs.inodesFree<100Mi grace=0 min=1Gi',
        'imagefs.inodesFree<300Mi grace=30000 min=2Gi',
        'nodefs.inodesFree<200Mi grace=90000 min=1Gi',
      ],
    ],
    ['0% and 100% are ignored', { evictionHard: { 'memory.available': '0%', 'nodefs.available': '100%', 'pid.available': '10%' } }, ['pid.available<10% grace=0 min=-']],
    ['flag form with the operator', { evictionHard: { 'memory.available': '<100Mi' } }, ['memory.available<100Mi grace=0 min=-']],
    ['kubelet defaults', { evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' } }, [
      'memory.available<100Mi grace=0 min=-',
      'nodefs.available<10% grace=0 min=-',
      'nodefs.inodesFree<5% grace=0 min=-',
      'imagefs.available<15% grace=0 min=-',
    ]],
  ];
  it.each(ok)('%s', (_name, c, expected) => {
    expect(parseThresholds(cfg(c)).map(view)).toEqual(expected);
  });

  const bad: Array<[string, Partial<EvictionConfig>, string]> = [
    ['invalid-signal', { evictionHard: { 'mem.available': '150Mi' } }, 'unsupported eviction signal mem.available'],
    ['hard-signal-negative', { evictionHard: { 'memory.available': '-150Mi' } }, 'eviction threshold memory.available must be positive: -150Mi'],
    ['hard-signal-zero', { evictionHard: { 'memory.available': '0' } }, 'eviction threshold memory.available must be positive: 0'],
    ['hard-signal-negative-percentage', { evictionHard: { 'memory.available': '-15%' } }, 'eviction percentage threshold memory.available must be >= 0%: -15%'],
    ['hard-signal-over-100', { evictionHard: { 'memory.available': '150%' } }, 'eviction percentage threshold memory.available must be <= 100%: 150%'],
    ['soft-signal-negative', { evictionSoft: { 'memory.available': '-150Mi' } }, 'eviction threshold memory.available must be positive: -150Mi'],
    ['valid-and-invalid-signal', { evictionHard: { 'memory.available': '150Mi', 'invalid.foo': '150Mi' } }, 'unsupported eviction signal invalid.foo'],
    ['soft-no-grace-period', { evictionSoft: { 'memory.available': '150Mi' } }, 'grace period must be specified for the soft eviction threshold memory.available'],
    ['soft-neg-grace-period', { evictionSoft: { 'memory.available': '150Mi' }, evictionSoftGracePeriod: { 'memory.available': '-30s' } }, 'invalid eviction grace period specified: -30s, must be a positive value'],
    ['soft-bad-grace-period', { evictionSoft: { 'memory.available': '150Mi' }, evictionSoftGracePeriod: { 'memory.available': '30' } }, 'time: missing unit in duration "30"'],
    ['neg-reclaim', { evictionMinimumReclaim: { 'memory.available': '-300Mi' } }, 'negative eviction minimum reclaim specified for memory.available'],
    ['zero-percent-reclaim', { evictionMinimumReclaim: { 'memory.available': '0%' } }, 'eviction percentage minimum reclaim memory.available must be positive: 0%'],
    ['bad-quantity', { evictionHard: { 'memory.available': '100Mx' } }, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"],
    ['bad-percentage', { evictionHard: { 'memory.available': 'abc%' } }, 'strconv.ParseFloat: parsing "abc": invalid syntax'],
  ];
  it.each(bad)('%s is rejected', (_name, c, message) => {
    expect(() => parseThresholds(cfg(c))).toThrow(message);
  });
});

describe('quantities', () => {
  it.each([
    ['100Mi', '100Mi'],
    ['1024Mi', '1Gi'],
    ['1000', '1k'],
    ['1536', '1536'],
    ['1500000', '1500k'],
    ['0.5Gi', '512Mi'],
    ['1e3', '1e3'],
    ['100m', '100m'],
    ['-150Mi', '-150Mi'],
    ['0', '0'],
  ])('%s is printed as %s', (input, out) => {
    expect(formatQuantity(parseQuantity(input))).toBe(out);
  });

  it('prints whole BinarySI quantities as upstream NewQuantity(...).String()', () => {
    expect(formatQuantity(newQuantity(52428800, 'BinarySI'))).toBe('50Mi');
    expect(formatQuantity(newQuantity(123456789, 'BinarySI'))).toBe('123456789');
    expect(formatQuantity(newQuantity(1000, 'BinarySI'))).toBe('1k');
    expect(formatQuantity(newQuantity(5000, 'DecimalSI'))).toBe('5k');
  });

  it('takes a percentage of capacity in float32 as upstream does', () => {
    // float32(0.1) * 100Gi = 10737418400, not 10737418240.
    expect(formatQuantity(thresholdQuantity({ percentage: Math.fround(0.1) }, parseQuantity('100Gi')))).toBe('10737418400');
    expect(thresholdQuantity({ quantity: parseQuantity('100Mi'), percentage: 0 }, parseQuantity('1Gi')).nanos).toBe(100n * 2n ** 20n * 10n ** 9n);
  });

  it('parses Go durations', () => {
    expect(parseGoDuration('1m30s')).toBe(90_000);
    expect(parseGoDuration('1.5h')).toBe(5_400_000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('0')).toBe(0);
    expect(() => parseGoDuration('5x')).toThrow('time: unknown unit "x" in duration "5x"');
    expect(() => parseGoDuration('abc')).toThrow('time: invalid duration "abc"');
  });
});
