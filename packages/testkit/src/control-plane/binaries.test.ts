import { describe, expect, it } from 'vitest';
import { requiredVersion } from './binaries.js';

describe('requiredVersion', () => {
  const goMod = [
    'module github.com/activemq-ha/tools/kube',
    'require (',
    '\tk8s.io/kubernetes v1.37.2 // indirect',
    ')',
    'replace (',
    '\tk8s.io/api => k8s.io/api v0.37.2',
    ')',
  ].join('\n');

  it('reads the version from the require block, not from a replace line', () => {
    expect(requiredVersion(goMod, 'k8s.io/kubernetes')).toBe('v1.37.2');
    expect(requiredVersion(goMod, 'k8s.io/api')).toBeUndefined();
  });

  it('reads a one-line require', () => {
    expect(
      requiredVersion('require go.etcd.io/etcd/server/v3 v3.7.3\n', 'go.etcd.io/etcd/server/v3'),
    ).toBe('v3.7.3');
  });
});
