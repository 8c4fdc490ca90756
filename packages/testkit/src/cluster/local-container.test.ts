import { describe, expect, it } from 'vitest';
import { containerEnv } from './local-container.js';

describe('containerEnv (the kubelet builds a container environment)', () => {
  const pod = {
    metadata: {
      name: 'amq-0',
      namespace: 'mq',
      uid: 'u-1',
      labels: { 'app.kubernetes.io/name': 'activemq' },
      annotations: { note: 'x' },
    },
    spec: { nodeName: 'node-0', serviceAccountName: 'activemq', containers: [] },
  };

  it('resolves the downward API field references and literal values', () => {
    const env = containerEnv(
      pod,
      {
        name: 'agent',
        env: [
          { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
          {
            name: 'APP',
            valueFrom: { fieldRef: { fieldPath: "metadata.labels['app.kubernetes.io/name']" } },
          },
          { name: 'PLAIN', value: '1' },
        ],
      },
      '10.244.0.7',
    );
    expect(env).toEqual({
      POD_NAME: 'amq-0',
      POD_NAMESPACE: 'mq',
      POD_IP: '10.244.0.7',
      NODE: 'node-0',
      APP: 'activemq',
      PLAIN: '1',
    });
  });

  it('expands $(VAR) of earlier variables, keeps unknown ones and unescapes $$', () => {
    const env = containerEnv(
      pod,
      {
        name: 'broker',
        env: [
          { name: 'A', value: 'a' },
          { name: 'B', value: '$(A)-$(C)-$$(A)' },
        ],
      },
      '10.244.0.7',
    );
    expect(env.B).toBe('a-$(C)-$(A)');
  });
});
