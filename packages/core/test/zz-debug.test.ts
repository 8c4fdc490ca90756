import { startKubeEmulator } from '../../testkit/src/kube/kube-emulator.js';
import { it } from 'vitest';
import { ScriptedProbe } from '../src/testing/scripted-probe.js';
import { GROUP_LABEL, startMiniAgent } from './agent-harness.js';

it('debug', async () => {
  const kube = await startKubeEmulator({ namespace: 'mq' });
  kube.createPod({ name: 'amq-0', labels: { [GROUP_LABEL]: 'activemq' } });
  const a = startMiniAgent({ pod: 'amq-0', namespace: 'mq', kubeConfig: kube.kubeConfig(), probe: new ScriptedProbe('ok') });
  a.labeler.on('apiError', (e) => console.log('apiError', e.error, (e.error as Error).cause));
  a.labeler.on('reconciled', (e) => console.log('reconciled', e));
  a.labeler.on('watch', (e) => console.log('watch', e.state, e.error?.message));
  a.client.on('request', (e) => console.log('req', e));
  await new Promise((r) => setTimeout(r, 1500));
  console.log(JSON.stringify(kube.getPod('amq-0')?.metadata), kube.podsWithLabel('leader','yes'));
  await a.stop();
  await kube.close();
});
