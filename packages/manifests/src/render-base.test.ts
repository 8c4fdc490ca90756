import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_AGENT_VERSION } from './options.js';
import { renderBase } from './render-base.js';

/** Every base needs a storage choice; the tests that are not about storage use this one. */
const STORE = { storage: { storageClassName: 'nfs-csi' } } as const;

const doc = (files: Record<string, string>, path: string): unknown =>
  parse(files[path] as string, { version: '1.1' });
/** The value at a path of keys, for reading parsed YAML in assertions. */
const at = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], value);
const podSpec = (files: Record<string, string>) =>
  at(doc(files, 'deployment.yaml'), 'spec', 'template', 'spec');
type Container = { name: string; args?: string[]; env?: { name: string }[] };
const container = (files: Record<string, string>, name: string) =>
  (at(podSpec(files), 'containers') as Container[]).find((c) => c.name === name);

describe('renderBase', () => {
  it('pins the agent image to this package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(DEFAULT_AGENT_VERSION).toBe(pkg.version);
  });

  it('starts pods as non-leaders and lets the agent select its group', () => {
    const files = renderBase({ ...STORE, name: 'orders' });
    expect(at(doc(files, 'deployment.yaml'), 'spec', 'template')).toMatchObject({
      metadata: { labels: { 'app.kubernetes.io/name': 'orders', leader: 'no' } },
    });
    expect(container(files, 'agent')?.args).toContain(
      '--group-selector=app.kubernetes.io/name=orders',
    );
    expect(files['deployment.yaml']).toContain('leader: "no"');
  });

  it('probes OpenWire without credentials, STOMP with them', () => {
    const openwire = container(renderBase(STORE), 'agent');
    expect(openwire?.args).toEqual(
      expect.arrayContaining(['--probe=openwire', '--openwire-port=61616', '--http-port=8080']),
    );
    expect(openwire?.env?.map((e) => e.name)).toEqual(['POD_NAME', 'POD_NAMESPACE']);
    const stomp = container(renderBase({ ...STORE, protocols: ['stomp', 'mqtt'] }), 'agent');
    expect(stomp?.args).toEqual(expect.arrayContaining(['--probe=stomp', '--stomp-port=61613']));
    expect(stomp?.env?.map((e) => e.name)).toContain('ACTIVEMQ_HA_STOMP_PASSCODE');
  });

  it('keeps the console inside the pod unless exposed', () => {
    const hidden = renderBase(STORE);
    expect(hidden['config/jetty.xml']).toContain('value="127.0.0.1"');
    expect(JSON.stringify(doc(hidden, 'service.yaml'))).not.toContain('console');
    const exposed = renderBase({ ...STORE, service: { exposeConsole: true } });
    expect(exposed['config/jetty.xml']).toContain('value="0.0.0.0"');
    expect(JSON.stringify(doc(exposed, 'service.yaml'))).toContain('"targetPort":"console"');
    const off = renderBase({ ...STORE, console: { enabled: false } });
    expect(off['config/jetty.xml']).toBeUndefined();
    expect(off['config/activemq.xml']).not.toContain('jetty.xml');
    expect(files(off)).not.toContain('console-realm');
  });

  it('uses the chosen anti-affinity and lock timings', () => {
    const required = at(
      podSpec(renderBase({ ...STORE, antiAffinity: 'required' })),
      'affinity',
      'podAntiAffinity',
    );
    expect(required).toHaveProperty('requiredDuringSchedulingIgnoredDuringExecution');
    const xml = renderBase({
      ...STORE,
      broker: { lockAcquireSleepIntervalMs: 250, lockKeepAlivePeriodMs: 100 },
    })['config/activemq.xml'];
    expect(xml).toContain('lockKeepAlivePeriod="100"');
    expect(xml).toContain('lockAcquireSleepInterval="250"');
  });
});

function files(tree: Record<string, string>): string {
  return Object.values(tree).join('\n');
}

describe('day-one broker configuration', () => {
  const xmlOf = (files: Record<string, string>) => files['config/activemq.xml'] as string;
  const env = (files: Record<string, string>) =>
    Object.fromEntries(
      ((container(files, 'broker')?.env ?? []) as { name: string; value?: string }[]).map((e) => [
        e.name,
        e.value,
      ]),
    );

  it('limits the store to 80% of the claim and keeps the temp store on an emptyDir', () => {
    const files = renderBase({
      storage: { storageClassName: 'nfs-csi', size: '10Gi', tempSize: '2Gi' },
    });
    const xml = xmlOf(files);
    expect(xml).toContain(`<storeUsage limit="${Math.floor(10 * 2 ** 30 * 0.8)}"/>`);
    expect(xml).toContain(`<tempUsage limit="${Math.floor(2 * 2 ** 30 * 0.8)}"/>`);
    expect(xml).toContain('<memoryUsage percentOfJvmHeap="70"/>');
    expect(xml).toContain('tmpDataDirectory="/var/lib/activemq-ha/temp"');
    expect(at(podSpec(files), 'volumes')).toContainEqual({
      name: 'temp-store',
      emptyDir: { sizeLimit: '2Gi' },
    });
  });

  it('derives the heap from the memory limit and always exits on OutOfMemoryError', () => {
    const files = renderBase({ ...STORE, broker: { resources: { limits: { memory: '2Gi' } } } });
    expect(env(files).ACTIVEMQ_OPTS).toMatch(/^-Xmx1536m -XX:TieredStopAtLevel=1 /);
    expect(env(files).JAVA_TOOL_OPTIONS).toBe('-XX:+ExitOnOutOfMemoryError');
    const own = renderBase({ ...STORE, broker: { javaOptions: '-Xmx700m' } });
    // The user's flags come after the manifests' JIT flags, so they can override them.
    expect(env(own).ACTIVEMQ_OPTS).toMatch(/^-XX:TieredStopAtLevel=1 -Xmx700m /);
    expect(env(own).JAVA_TOOL_OPTIONS).toBe('-XX:+ExitOnOutOfMemoryError');
  });

  it('loads the takeover warm-up agent from an emptyDir the agent image fills, unless turned off', () => {
    type Pod = {
      initContainers: { name: string; image: string; args: string[]; securityContext: unknown }[];
      containers: { name: string; image: string; volumeMounts: unknown[] }[];
      volumes: { name: string }[];
    };
    const on = renderBase(STORE);
    const pod = podSpec(on) as Pod;
    expect(env(on).ACTIVEMQ_OPTS).toMatch(
      / -javaagent:\/opt\/activemq-ha\/warmup\/takeover-warmup\.jar$/,
    );
    const init = pod.initContainers.find((c) => c.name === 'install-warmup');
    expect(init?.args).toEqual(['install-warmup', '/opt/activemq-ha/warmup']);
    expect(init?.image).toBe(pod.containers.find((c) => c.name === 'agent')?.image);
    expect(init?.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
    expect(pod.volumes).toContainEqual({ name: 'takeover-warmup', emptyDir: { sizeLimit: '8Mi' } });
    expect(pod.containers.find((c) => c.name === 'broker')?.volumeMounts).toContainEqual({
      name: 'takeover-warmup',
      mountPath: '/opt/activemq-ha/warmup',
      readOnly: true,
    });
    const off = renderBase({ ...STORE, broker: { takeoverWarmup: false } });
    expect(env(off).ACTIVEMQ_OPTS).not.toContain('-javaagent');
    const offPod = podSpec(off) as Pod;
    expect(offPod.initContainers.map((c) => c.name)).toEqual(['check-store']);
    expect(offPod.volumes.map((v) => v.name)).not.toContain('takeover-warmup');
  });

  it('registers MBeans without a JMX port, caps frames at 10 MiB and redelivers later', () => {
    const xml = xmlOf(renderBase(STORE));
    expect(xml).toContain('useJmx="true"');
    expect(xml).toContain('<managementContext createConnector="false"/>');
    expect(xml).toContain('wireFormat.maxFrameSize=10485760');
    expect(xml).toContain('schedulerSupport="true"');
    expect(xml).toMatch(/<redeliveryPolicy maximumRedeliveries="6" initialRedeliveryDelay="1000"/);
    expect(xml).toContain('<individualDeadLetterStrategy queuePrefix="DLQ."');
    const off = xmlOf(renderBase({ ...STORE, broker: { redelivery: false } }));
    expect(off).not.toContain('redeliveryPlugin');
    expect(off).toContain('schedulerSupport="false"');
  });
});
