// Selector semantics every component shares: metav1.LabelSelector (empty matches all, nil
// matches nothing), its query-string form, core/v1 NodeSelector (ORed terms, Gt/Lt, matchFields
// on metadata.name) and Toleration.ToleratesTaint.
import { describe, expect, it } from 'vitest';
import {
  findUntoleratedTaint, formatLabelSelector, labelSelectorMatches, mapSelectorMatches, nodeSelectorMatches,
  nodeSelectorTermMatches, toleratesTaint, type Labels,
} from '../../src/labels.js';
import type { LabelSelector, NodeSelectorTerm, Taint, Toleration } from '../../src/types.js';

describe('labelSelectorMatches', () => {
  const web: Labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each<[string, LabelSelector | undefined | null, Labels, boolean]>([
    ['nil selector matches nothing', undefined, web, false],
    ['null selector matches nothing', null, web, false],
    ['empty selector matches everything', {}, web, true],
    ['empty selector matches unlabelled objects', {}, undefined, true],
    ['empty matchLabels and matchExpressions match everything', { matchLabels: {}, matchExpressions: [] }, {}, true],
    ['matchLabels subset', { matchLabels: { app: 'web' } }, web, true],
    ['matchLabels wrong value', { matchLabels: { app: 'db' } }, web, false],
    ['matchLabels missing key', { matchLabels: { zone: 'a' } }, web, false],
    ['In', { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev', 'prod'] }] }, web, true],
    ['In, value not listed', { matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, web, false],
    ['In, key absent', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }, web, false],
    ['NotIn', { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, web, false],
    ['NotIn, key absent matches', { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, web, true],
    ['Exists', { matchExpressions: [{ key: 'tier', operator: 'Exists' }] }, web, true],
    ['Exists, absent', { matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, web, false],
    ['DoesNotExist', { matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, web, true],
    ['DoesNotExist, present', { matchExpressions: [{ key: 'app', operator: 'DoesNotExist' }] }, web, false],
    ['labels and expressions are ANDed', { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['dev'] }] }, web, false],
    ['a key that is an Object.prototype name is not a label', { matchExpressions: [{ key: 'toString', operator: 'Exists' }] }, {}, false],
  ])('%s', (_name, sel, labels, want) => {
    expect(labelSelectorMatches(sel, labels)).toBe(want);
  });

  it('formats the query form with sorted set values', () => {
    expect(formatLabelSelector(undefined)).toBe('');
    expect(formatLabelSelector({})).toBe('');
    expect(formatLabelSelector({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'In', values: ['prod', 'dev'] },
        { key: 'tier', operator: 'NotIn', values: ['b', 'a'] },
        { key: 'gpu', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    })).toBe('app=web,env in (dev,prod),tier notin (a,b),gpu,!legacy');
  });

  it('map selectors need every pair; an empty or missing map matches all', () => {
    expect(mapSelectorMatches({ app: 'web' }, { app: 'web', x: 'y' })).toBe(true);
    expect(mapSelectorMatches({ app: 'web', x: 'z' }, { app: 'web', x: 'y' })).toBe(false);
    expect(mapSelectorMatches({}, undefined)).toBe(true);
    expect(mapSelectorMatches(undefined, { a: 'b' })).toBe(true);
    expect(mapSelectorMatches({ a: 'b' }, undefined)).toBe(false);
  });
});

describe('node selectors', () => {
  const labels: Labels = { zone: 'a', cores: '8', 'disk': 'ssd' };
  it.each<[string, NodeSelectorTerm, boolean]>([
    ['empty term matches nothing', {}, false],
    ['empty lists match nothing', { matchExpressions: [], matchFields: [] }, false],
    ['In', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }, true],
    ['NotIn on a missing key', { matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['x'] }] }, true],
    ['Exists', { matchExpressions: [{ key: 'disk', operator: 'Exists' }] }, true],
    ['DoesNotExist', { matchExpressions: [{ key: 'disk', operator: 'DoesNotExist' }] }, false],
    ['Gt true', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }, true],
    ['Gt is strict', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['8'] }] }, false],
    ['Lt true', { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['16'] }] }, true],
    ['Lt compares numbers, not strings', { matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['10'] }] }, true],
    ['Gt on a non-numeric label', { matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['1'] }] }, false],
    ['Gt with a non-numeric value', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['x'] }] }, false],
    ['Gt with two values', { matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['1', '2'] }] }, false],
    ['Gt on a missing label', { matchExpressions: [{ key: 'mem', operator: 'Gt', values: ['1'] }] }, false],
    ['matchFields metadata.name In', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }, true],
    ['matchFields metadata.name In, other node', { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }, false],
    ['matchFields metadata.name NotIn', { matchFields: [{ key: 'metadata.name', operator: 'NotIn', values: ['node-2'] }] }, true],
    ['fields and expressions are ANDed', { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }, false],
  ])('%s', (_name, term, want) => {
    expect(nodeSelectorTermMatches(term, labels, 'node-1')).toBe(want);
  });

  it('terms are ORed', () => {
    const sel = { nodeSelectorTerms: [
      { matchExpressions: [{ key: 'zone', operator: 'In' as const, values: ['b'] }] },
      { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: ['node-1'] }] },
    ] };
    expect(nodeSelectorMatches(sel, labels, 'node-1')).toBe(true);
    expect(nodeSelectorMatches(sel, labels, 'node-9')).toBe(false);
    expect(nodeSelectorMatches({ nodeSelectorTerms: [] }, labels, 'node-1')).toBe(false);
  });

  // Upstream (nodeaffinity.nodeSelectorRequirementsAsFieldSelector) accepts only In/NotIn with
  // exactly one value in matchFields; anything else is a parse error and the term matches
  // nothing.
  it('matchFields with two values or Exists is a parse error (no match), as upstream', () => {
    expect(nodeSelectorTermMatches({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1', 'node-2'] }] }, labels, 'node-1')).toBe(false);
    expect(nodeSelectorTermMatches({ matchFields: [{ key: 'metadata.name', operator: 'Exists' }] }, labels, 'node-1')).toBe(false);
  });
});

describe('toleratesTaint', () => {
  const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  it.each<[string, Toleration, Taint, boolean]>([
    ['Equal with matching key, value and effect', { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, taint, true],
    ['operator defaults to Equal', { key: 'dedicated', value: 'gpu' }, taint, true],
    ['Equal with another value', { key: 'dedicated', operator: 'Equal', value: 'cpu' }, taint, false],
    ['Equal without value against a valued taint', { key: 'dedicated', operator: 'Equal' }, taint, false],
    ['Equal without value against an unvalued taint', { key: 'k', operator: 'Equal' }, { key: 'k', effect: 'NoExecute' }, true],
    ['Exists ignores the value', { key: 'dedicated', operator: 'Exists' }, taint, true],
    ['another key', { key: 'other', operator: 'Exists' }, taint, false],
    ['empty effect matches all effects', { key: 'dedicated', operator: 'Exists', effect: '' }, { ...taint, effect: 'NoExecute' }, true],
    ['another effect', { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, taint, false],
    ['empty key with Exists tolerates every taint', { operator: 'Exists' }, { key: 'anything', value: 'v', effect: 'PreferNoSchedule' }, true],
    ['empty key with Exists still checks the effect', { operator: 'Exists', effect: 'NoExecute' }, taint, false],
  ])('%s', (_name, tol, t, want) => {
    expect(toleratesTaint(tol, t)).toBe(want);
  });

  it('findUntoleratedTaint returns the first untolerated taint among the given effects', () => {
    const taints: Taint[] = [
      { key: 'a', effect: 'PreferNoSchedule' },
      { key: 'b', effect: 'NoSchedule' },
      { key: 'c', effect: 'NoExecute' },
    ];
    expect(findUntoleratedTaint(taints, [])).toEqual(taints[0]);
    expect(findUntoleratedTaint(taints, [], ['NoSchedule', 'NoExecute'])).toEqual(taints[1]);
    expect(findUntoleratedTaint(taints, [{ key: 'b', operator: 'Exists' }], ['NoSchedule', 'NoExecute'])).toEqual(taints[2]);
    expect(findUntoleratedTaint(taints, [{ operator: 'Exists' }])).toBeUndefined();
    expect(findUntoleratedTaint(undefined, undefined)).toBeUndefined();
  });
});
