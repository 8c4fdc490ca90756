// Idle memory of the agent bundle (the image's entrypoint) as a standby next to no broker,
// against the API emulator: VmRSS, RssAnon, VmHWM and CPU from /proc, heap from the agent's own
// metrics.
// `tsx packages/agent/bench/agent-memory.ts [--seconds 20] [--bundle <agent.js>] [-- <node flags>...]`
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { procMemory, startKubeEmulator } from '@activemq-ha/testkit';

const { values, positionals } = parseArgs({
  options: { seconds: { type: 'string', default: '20' }, bundle: { type: 'string' } },
  allowPositionals: true,
});
const bundle = values.bundle ?? fileURLToPath(new URL('../dist/agent.js', import.meta.url));
const kube = await startKubeEmulator({ namespace: 'mq' });
kube.createPod({ name: 'amq-0', labels: { 'app.kubernetes.io/name': 'activemq' } });
const child = spawn(process.execPath, [...positionals, bundle], {
  env: {
    PATH: process.env.PATH,
    POD_NAME: 'amq-0',
    POD_NAMESPACE: 'mq',
    KUBECONFIG: kube.kubeconfigPath,
    ACTIVEMQ_HA_TOKEN_FILE: kube.tokenFilePath,
    ACTIVEMQ_HA_HTTP_HOST: '127.0.0.1',
    ACTIVEMQ_HA_HTTP_PORT: '0',
    ACTIVEMQ_HA_OPENWIRE_PORT: '1',
  },
  stdio: ['ignore', 'pipe', 'inherit'],
});
let port: number | undefined;
/** utime + stime of `pid` in ms (clock ticks of 10 ms, Linux's USER_HZ). */
const cpuMs = (pid: number | undefined): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
};
child.stdout.on('data', (d: Buffer) => {
  const m = /"httpPort":(\d+)/.exec(d.toString());
  if (m) port = Number(m[1]);
});
try {
  const samples: number[] = [];
  const anon: number[] = [];
  // CPU from the first sample on: the start-up is not idle.
  await new Promise((r) => setTimeout(r, 1000));
  const cpuAt = { ms: cpuMs(child.pid), t: Date.now() };
  const until = Date.now() + Number(values.seconds) * 1000;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    const m = procMemory(child.pid);
    samples.push(m?.rssMiB ?? Number.NaN);
    anon.push(m?.anonMiB ?? Number.NaN);
  }
  const metrics = port ? await (await fetch(`http://127.0.0.1:${port}/metrics`)).text() : '';
  const gauge = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(metrics)?.[1]) / 1048576;
  console.log(
    JSON.stringify({
      bundle,
      flags: positionals.join(' ') || '(none)',
      idleRssMiB: Number(samples.at(-1)?.toFixed(1)),
      idleAnonMiB: Number(anon.at(-1)?.toFixed(1)),
      idleCpuPercent: Number(
        ((100 * (cpuMs(child.pid) - cpuAt.ms)) / (Date.now() - cpuAt.t)).toFixed(2),
      ),
      peakRssMiB: Number(procMemory(child.pid)?.peakMiB.toFixed(1)),
      heapUsedMiB: Number(gauge('nodejs_heap_size_used_bytes').toFixed(1)),
      heapTotalMiB: Number(gauge('nodejs_heap_size_total_bytes').toFixed(1)),
    }),
  );
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await kube.close();
}
