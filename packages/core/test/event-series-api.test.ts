import { KubeClient } from '@activemq-ha/core';
import { type ControlPlane, startControlPlane, startKubeEmulator } from '@activemq-ha/testkit';
import { CoreV1Api, EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// One Event object per repeated occurrence is what client-go's recorder avoids with a series;
// this proves the API (the emulator and a real kube-apiserver) takes the series update the
// announcer writes: events.k8s.io/v1 validation wants count >= 2 and a lastObservedTime.
type Target = { kubeConfig: KubeConfig; namespace: string; close(): Promise<void> };

async function emulator(): Promise<Target> {
  const kube = await startKubeEmulator({ namespace: 'mq' });
  kube.createPod({ name: 'amq-0', labels: { app: 'activemq' } });
  return { kubeConfig: kube.kubeConfig(), namespace: 'mq', close: () => kube.close() };
}

async function real(): Promise<Target> {
  const cp: ControlPlane = await startControlPlane();
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(cp.kubeconfigPath);
  await kubeConfig.makeApiClient(CoreV1Api).createNamespacedPod({
    namespace: cp.namespace,
    body: {
      metadata: { name: 'amq-0', labels: { app: 'activemq' } },
      spec: { containers: [{ name: 'broker', image: 'apache/activemq-classic:6.1.8' }] },
    },
  });
  return { kubeConfig, namespace: cp.namespace, close: () => cp.stop() };
}

describe.each([
  ['emulator', emulator],
  ['real kube-apiserver', real],
] as const)('Event series on the %s', (_name, start) => {
  let target: Target;
  beforeAll(async () => {
    target = await start();
  }, 180_000);
  afterAll(async () => {
    await target?.close();
  });

  it('an Event created once takes series updates (count, lastObservedTime)', async () => {
    const api = new KubeClient({ kubeConfig: target.kubeConfig });
    const pod = await api.readPod(target.namespace, 'amq-0');
    const at = Date.now();
    const name = await api.createPodEvent({
      regarding: { name: pod.name, namespace: pod.namespace, uid: pod.uid },
      type: 'Warning',
      reason: 'Fenced',
      action: 'Fence',
      note: 'amq-1 is leader: removed stale leader=yes',
      reportingController: 'activemq-ha.io/agent',
      reportingInstance: 'amq-1',
      at,
    });
    await api.updatePodEventSeries(target.namespace, name, { count: 2, lastObservedAt: at + 10 });
    await api.updatePodEventSeries(target.namespace, name, { count: 7, lastObservedAt: at + 20 });
    const events = target.kubeConfig.makeApiClient(EventsV1Api);
    const list = await events.listNamespacedEvent({ namespace: target.namespace });
    expect(list.items).toHaveLength(1);
    const e = list.items[0]!;
    expect(e.metadata?.name).toBe(name);
    expect(e.series?.count).toBe(7);
    expect(new Date(e.series!.lastObservedTime as unknown as string).getTime()).toBe(at + 20);
    expect(e.note).toBe('amq-1 is leader: removed stale leader=yes');
  });
});
