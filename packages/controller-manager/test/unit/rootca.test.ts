// The root CA publisher's decision (publisher.go syncNamespace): create when missing, leave alone
// when data and the description annotation match, else rewrite data and the annotation only.
import { describe, expect, it } from 'vitest';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, desiredConfigMap, ROOT_CA_CONFIGMAP } from '../../src/controllers/rootcacert/index.js';

describe('root CA ConfigMap', () => {
  it('creates the ConfigMap with ca.crt and the description', () => {
    expect(desiredConfigMap(undefined, 'PEM', 'ns')).toEqual({
      metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'ns', annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': 'PEM' },
    });
  });
  it('keeps a matching ConfigMap (any non-empty description), rewrites a drifted one', () => {
    const ok = { metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'ns', annotations: { [DESCRIPTION_ANNOTATION]: 'custom', other: 'x' } }, data: { 'ca.crt': 'PEM' } };
    expect(desiredConfigMap(ok, 'PEM', 'ns')).toBeNull();
    const drifted = { ...ok, metadata: { ...ok.metadata, labels: { keep: 'me' } }, data: { 'ca.crt': 'OLD', extra: 'y' } };
    expect(desiredConfigMap(drifted, 'PEM', 'ns')).toEqual({
      metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'ns', labels: { keep: 'me' }, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION, other: 'x' } }, data: { 'ca.crt': 'PEM' },
    });
    const noDesc = { metadata: { name: ROOT_CA_CONFIGMAP, namespace: 'ns' }, data: { 'ca.crt': 'PEM' } };
    expect(desiredConfigMap(noDesc, 'PEM', 'ns')?.metadata.annotations).toEqual({ [DESCRIPTION_ANNOTATION]: DESCRIPTION });
  });
});
