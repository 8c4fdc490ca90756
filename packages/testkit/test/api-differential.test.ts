// The differential test: one script of API calls against the emulator and a real kube-apiserver;
// status codes, Status bodies and watch event sequences must agree, except for the documented
// differences in ALLOWED (each says why it is allowed, or that the emulator must be fixed).
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactEtcd, runApiScript, type StepOutcome } from '../src/differential/api-script.js';
import {
  type ControlPlane,
  type KubeEmulator,
  poll,
  startControlPlane,
  startKubeEmulator,
} from '../src/index.js';

/** step → why its outcome may differ. Messages always may (wording is not API). */
const ALLOWED: Readonly<Record<string, string>> = {};

describe('emulator and kube-apiserver answer the same script alike', () => {
  let cp: ControlPlane;
  let emu: KubeEmulator;
  let real: StepOutcome[];
  let emulated: StepOutcome[];

  beforeAll(async () => {
    cp = await startControlPlane();
    const kc = new KubeConfig();
    kc.loadFromString(cp.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'diff' } } });
    await poll(
      async () =>
        (await core.readNamespacedServiceAccount({ name: 'default', namespace: 'diff' })) !==
        undefined,
      {
        timeoutMs: 60_000,
        intervalMs: 100,
        description: 'the default ServiceAccount',
      },
    );
    real = await runApiScript(kc, 'diff', {
      compact: () => compactEtcd(`http://127.0.0.1:${cp.ports.etcdClient}`),
    });
    emu = await startKubeEmulator({ namespace: 'diff' });
    emulated = await runApiScript(emu.kubeConfig(), 'diff', {
      compact: async () => emu.compactHistory(),
    });
  }, 180_000);
  afterAll(async () => {
    await emu?.close();
    await cp?.stop();
  });

  it('agrees step by step', () => {
    const differences = real
      .map((r, i) => ({ real: r, emulator: emulated[i] }))
      .filter(
        ({ real: r, emulator: e }) =>
          !(r.step in ALLOWED) &&
          JSON.stringify({ ...r, message: undefined }) !==
            JSON.stringify({ ...e, message: undefined }),
      );
    if (differences.length > 0)
      process.stderr.write(`differences:\n${JSON.stringify(differences, null, 2)}\n`);
    expect(differences).toEqual([]);
  });

  it('answers 410 Expired after a compaction, on both targets (not merely alike)', () => {
    for (const outcomes of [real, emulated]) {
      const get = (name: string) => outcomes.find((o) => o.step === name);
      expect(get('watch from before the compaction')?.events).toEqual(['ERROR 410 Expired']);
      expect(get('exact list from before the compaction')).toMatchObject({
        status: 410,
        statusBody: { reason: 'Expired', code: 410 },
      });
      expect(get('get the Event after the compaction')?.status).toBe(200);
    }
  });
});
