import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BaseOptions,
  type KubeObject,
  type OverlayOptions,
  overlayDefaults,
  renderBase,
  renderObjects,
  renderOverlay,
  resolveBaseOptions,
  writeTree,
} from '@activemq-ha/manifests';
import { describe, expect, it } from 'vitest';
import { buildTree, kustomize, tempDir } from './helpers/kustomize.js';
import { podViolations, restrictedViolations } from './helpers/pod-security.js';
import { schemaProblems } from './helpers/schemas.js';

const credentials = {
  brokerPassword: 'broker-pw-0123456789',
  consolePassword: 'console-pw-0123456789',
};

interface Case {
  readonly title: string;
  readonly base: BaseOptions;
  readonly overlay: Omit<
    OverlayOptions,
    'credentials' | 'name' | 'console' | 'nfsVolume' | 'certificate'
  >;
  /** GitOps: the Secret exists outside the overlay. */
  readonly existingSecret?: boolean;
}

const RWX = { storageClassName: 'nfs-csi' } as const;

const CASES: readonly Case[] = [
  { title: 'defaults (with a storage class)', base: { storage: RWX }, overlay: {} },
  {
    title: 'NFS volume, LoadBalancer, required anti-affinity, 3 replicas',
    base: {
      replicas: 3,
      antiAffinity: 'required',
      service: {
        type: 'LoadBalancer',
        loadBalancerClass: 'metallb.universe.tf/metallb',
        annotations: { 'metallb.universe.tf/loadBalancerIPs': '10.1.2.3' },
      },
      networkPolicy: { externalCidrs: ['203.0.113.0/24', '2001:db8::/32'] },
      storage: { size: '20Gi', nfs: { server: 'nfs.example.com', path: '/exports/activemq' } },
    },
    overlay: { namespace: 'mq-prod' },
  },
  {
    title: 'every protocol, exposed console, NetworkPolicy, custom name',
    base: {
      name: 'orders-mq',
      protocols: ['openwire', 'stomp', 'amqp', 'mqtt', 'ws'],
      service: { exposeConsole: true },
      networkPolicy: {
        clientSelector: { 'example.com/mq-client': 'yes' },
        clientNamespaces: ['billing'],
      },
      agent: { extraArgs: ['--log-level=debug'] },
      storage: RWX,
      metrics: { enabled: true },
    },
    overlay: { namespace: 'orders', namespaceInBuild: true, monitoring: true },
  },
  {
    title: 'STOMP only, no console, storage class, no Namespace object',
    base: {
      protocols: ['stomp'],
      console: { enabled: false },
      storage: { storageClassName: 'nfs-csi', size: '2Gi', tempSize: '256Mi' },
      networkPolicy: { enabled: false },
      broker: {
        javaOptions: '-XX:+UseG1GC -Xmx1g',
        resources: { requests: { cpu: '500m' }, limits: { cpu: '2', memory: '2Gi' } },
        redelivery: false,
      },
    },
    overlay: { namespace: 'mq-dev', createNamespace: false },
  },
  {
    title: 'GitOps: an existing Secret, NFS',
    base: { storage: { nfs: { server: 'nfs.example.com', path: '/mq' } } },
    overlay: { namespace: 'gitops' },
    existingSecret: true,
  },
  {
    title: 'forced NFSv3, fast lock settings, custom images pinned by digest, Jetty 12 broker',
    base: {
      broker: {
        image: 'registry.example.com/mq/activemq-classic',
        version: '6.3.1',
        imageDigest: `sha256:${'a'.repeat(64)}`,
        lockAcquireSleepIntervalMs: 250,
        lockKeepAlivePeriodMs: 100,
      },
      agent: {
        image: 'registry.example.com/mq/agent',
        version: '0.2.0',
        imageDigest: `sha256:${'b'.repeat(64)}`,
      },
      storage: {
        nfs: {
          server: '192.0.2.10',
          path: '/mq',
          mountOptions: ['nfsvers=3', 'hard'],
          force: true,
        },
      },
    },
    overlay: { namespace: 'legacy' },
  },
  {
    title: 'TLS from cert-manager, several users with authorization entries',
    base: {
      protocols: ['openwire', 'openwire-tls', 'stomp-tls'],
      tls: { certManager: { issuerName: 'internal-ca', issuerKind: 'ClusterIssuer' } },
      security: {
        users: [
          { username: 'shop', groups: ['shop'] },
          { username: 'billing', groups: ['billing'] },
        ],
        authorization: [
          { queue: 'orders.>', write: ['shop'], read: ['billing'], admin: ['shop', 'billing'] },
        ],
      },
      storage: RWX,
    },
    overlay: { namespace: 'secure' },
  },
  {
    title: 'TLS from a user Secret, TLS only',
    base: {
      protocols: ['stomp-tls'],
      tls: { secretName: 'my-keystore', passwordSecret: { name: 'my-keystore', key: 'pass' } },
      storage: RWX,
    },
    overlay: { namespace: 'tls-only' },
  },
];

const userPasswords = (c: Case) =>
  Object.fromEntries(
    (c.base.security?.users ?? []).map((u) => [u.username, `${u.username}-pw-0123456789`]),
  );

function byKind(objects: readonly KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind);
}

function one(objects: readonly KubeObject[], kind: string): KubeObject & Record<string, never> {
  const found = byKind(objects, kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as KubeObject & Record<string, never>;
}

/** kustomize and renderObjects hash generated names differently; everything else must agree. */
function withoutHashes(objects: readonly KubeObject[]): unknown[] {
  const json = JSON.stringify(objects).replace(
    /"([a-z0-9-]+-(?:config|credentials))-[a-z0-9]{10}"/g,
    '"$1"',
  );
  return (JSON.parse(json) as KubeObject[]).sort((a, b) =>
    `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
  );
}

describe('kubectl kustomize builds every generated tree', () => {
  for (const c of CASES) {
    it(c.title, async () => {
      await using dir = await tempDir();
      const base = renderBase(c.base);
      const consoleEnabled = c.base.console?.enabled ?? true;
      const overlayOptions: OverlayOptions = {
        ...overlayDefaults(resolveBaseOptions(c.base)),
        ...c.overlay,
        credentials: c.existingSecret
          ? { existingSecret: true }
          : consoleEnabled
            ? { ...credentials, userPasswords: userPasswords(c) }
            : { brokerPassword: credentials.brokerPassword, userPasswords: userPasswords(c) },
      };
      const overlayFiles = renderOverlay(overlayOptions);
      const built = await buildTree(dir.path, base, overlayFiles);
      const namespace = c.overlay.namespace ?? 'activemq';
      // The Namespace lives in its own kustomization unless asked into the build (delete -k).
      const separate = 'namespace/kustomization.yaml' in overlayFiles;
      expect(separate).toBe(c.overlay.createNamespace !== false && !c.overlay.namespaceInBuild);
      expect(byKind(built, 'Namespace')).toHaveLength(c.overlay.namespaceInBuild ? 1 : 0);
      const objects = separate
        ? [...(await kustomize(join(dir.path, 'overlays', 'test', 'namespace'))), ...built]
        : built;

      expect(schemaProblems(objects)).toEqual([]);
      expect(restrictedViolations(objects)).toEqual([]);

      // Every namespaced object landed in the overlay's namespace, RoleBinding subjects included.
      for (const o of objects) {
        if (o.kind !== 'Namespace' && o.kind !== 'PersistentVolume')
          expect(o.metadata.namespace).toBe(namespace);
      }
      const binding = one(objects, 'RoleBinding') as unknown as {
        subjects: { kind: string; name: string; namespace: string }[];
        roleRef: { name: string };
      };
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: one(objects, 'ServiceAccount').metadata.name, namespace },
      ]);
      expect(binding.roleRef.name).toBe(one(objects, 'Role').metadata.name);

      // The Deployment refers only to objects the build contains.
      const deployment = one(objects, 'Deployment') as unknown as {
        spec: {
          template: {
            spec: {
              volumes: Record<string, { claimName?: string; name?: string; secretName?: string }>[];
            };
          };
        };
      };
      const json = JSON.stringify(deployment);
      const volumes = deployment.spec.template.spec.volumes;
      const claim = volumes.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
      expect(claim).toBe(one(objects, 'PersistentVolumeClaim').metadata.name);
      expect(volumes.find((v) => v.configMap)?.configMap?.name).toBe(
        one(objects, 'ConfigMap').metadata.name,
      );
      // Every file mounted from the ConfigMap is one it holds (the Jetty 12 layout mounts more).
      const configKeys = Object.keys(
        (one(objects, 'ConfigMap') as unknown as { data: Record<string, string> }).data,
      );
      for (const [, key] of json.matchAll(
        /"name":"config","mountPath":"[^"]+","subPath":"([^"]+)"/g,
      )) {
        expect(configKeys).toContain(key);
      }
      if (c.base.broker?.imageDigest) {
        expect(json).toContain(`:${c.base.broker.version}@${c.base.broker.imageDigest}"`);
        expect(json).toContain(`"mountPath":"/opt/apache-activemq/conf/jetty/jetty-security.xml"`);
      }
      const secretName = c.existingSecret
        ? `${c.base.name ?? 'activemq'}-credentials`
        : one(objects, 'Secret').metadata.name;
      expect(byKind(objects, 'Secret')).toHaveLength(c.existingSecret ? 0 : 1);
      for (const [, name] of json.matchAll(
        /"(?:secretName|name)":"([a-z0-9-]+-credentials[a-z0-9-]*)"/g,
      )) {
        expect(name).toBe(secretName);
      }
      if (c.base.storage.nfs) {
        const pvc = one(objects, 'PersistentVolumeClaim') as unknown as {
          metadata: { name: string };
          spec: { volumeName: string };
        };
        const pv = one(objects, 'PersistentVolume') as unknown as {
          metadata: { name: string };
          spec: { claimRef: { name: string; namespace: string } };
        };
        expect(pv.metadata.name).toBe(`${pvc.metadata.name}.${namespace}`);
        expect(pvc.spec.volumeName).toBe(pv.metadata.name);
        expect(pv.spec.claimRef).toMatchObject({ name: pvc.metadata.name, namespace });
      } else {
        expect(byKind(objects, 'PersistentVolume')).toEqual([]);
      }
      expect(byKind(objects, 'PodMonitor')).toHaveLength(c.overlay.monitoring ? 1 : 0);
      expect(byKind(objects, 'Certificate')).toHaveLength(c.base.tls?.certManager ? 1 : 0);
      if (c.base.tls?.certManager) {
        expect(one(objects, 'Certificate')).toMatchObject({
          spec: {
            secretName: 'activemq-tls',
            dnsNames: [
              'activemq',
              `activemq.${namespace}.svc`,
              `activemq.${namespace}.svc.cluster.local`,
            ],
          },
        });
      }
      // Every user's password variable is filled from a key the Secret holds.
      for (const u of c.base.security?.users ?? []) {
        const key = `ACTIVEMQ_PASSWORD_${u.username.toUpperCase()}`;
        expect(json).toContain(`{"name":"${key}","valueFrom":{"secretKeyRef":{"key":"${key}"`);
        expect(Object.keys((one(objects, 'Secret') as unknown as { data: object }).data)).toContain(
          key,
        );
      }
      if (c.base.metrics?.enabled) {
        const broker = JSON.stringify(deployment);
        expect(broker).toContain('-javaagent:/opt/jmx-exporter/jmx_prometheus_javaagent.jar=9404:');
        expect(broker).toContain('{"containerPort":9404,"name":"metrics","protocol":"TCP"}');
      }
      expect(byKind(objects, 'NetworkPolicy')).toHaveLength(
        c.base.networkPolicy?.enabled === false ? 0 : 1,
      );
      // Never every namespace: a labelled pod anywhere must not reach the brokers.
      expect(JSON.stringify(byKind(objects, 'NetworkPolicy'))).not.toContain(
        '"namespaceSelector":{}',
      );
      expect(byKind(objects, 'Namespace')).toHaveLength(
        c.overlay.createNamespace === false ? 0 : 1,
      );

      // The direct renderer (CLI `render`) produces the same objects kustomize builds.
      const direct = renderObjects({ base: c.base, overlay: overlayOptions }).map((m) => m.object);
      expect(withoutHashes(direct)).toEqual(withoutHashes(objects));
    });
  }

  it('builds every combination of the Components, as renderObjects renders it', async () => {
    await using dir = await tempDir();
    const baseOptions: BaseOptions = {
      protocols: ['openwire', 'stomp', 'openwire-tls', 'stomp-tls'],
      tls: { certManager: { issuerName: 'internal-ca' } },
      service: { type: 'LoadBalancer', loadBalancerClass: 'example.com/internal-vip' },
      networkPolicy: { externalCidrs: ['203.0.113.0/24'], clientNamespaces: ['shop'] },
      metrics: { enabled: true },
      storage: { nfs: { server: 'nfs.example.com', path: '/mq' } },
    };
    await writeTree(join(dir.path, 'base'), renderBase(baseOptions));
    for (let bits = 0; bits < 16; bits++) {
      const parts = {
        networkPolicy: !!(bits & 1),
        loadBalancer: !!(bits & 2),
        monitoring: !!(bits & 4),
        tls: !!(bits & 8),
      };
      const overlayOptions: OverlayOptions = {
        ...parts,
        nfsVolume: true,
        certificate: parts.tls,
        credentials,
      };
      const overlay = join(dir.path, 'overlays', `combination-${bits}`);
      await writeTree(overlay, renderOverlay(overlayOptions));
      const objects = await kustomize(overlay);
      const what = JSON.stringify(parts);
      expect(schemaProblems(objects), what).toEqual([]);
      expect(restrictedViolations(objects), what).toEqual([]);
      expect(byKind(objects, 'NetworkPolicy'), what).toHaveLength(parts.networkPolicy ? 1 : 0);
      expect(byKind(objects, 'PodMonitor'), what).toHaveLength(parts.monitoring ? 1 : 0);
      expect(byKind(objects, 'Certificate'), what).toHaveLength(parts.tls ? 1 : 0);
      expect(one(objects, 'Service'), what).toMatchObject({
        spec: parts.loadBalancer
          ? { type: 'LoadBalancer', loadBalancerClass: 'example.com/internal-vip' }
          : { type: 'ClusterIP' },
      });
      if (!parts.loadBalancer)
        expect(JSON.stringify(one(objects, 'Service'))).not.toContain('loadBalancerClass');
      const xml = (one(objects, 'ConfigMap') as unknown as { data: Record<string, string> }).data[
        'activemq.xml'
      ];
      expect(xml?.includes('stomp+ssl://'), what).toBe(parts.tls);
      expect(JSON.stringify(one(objects, 'Deployment')).includes('--probe-tls=true'), what).toBe(
        parts.tls,
      );
      // The Namespace is in its own kustomization (overlay/namespace), not in this build.
      const direct = renderObjects({ base: baseOptions, overlay: overlayOptions })
        .map((m) => m.object)
        .filter((o) => o.kind !== 'Namespace');
      expect(withoutHashes(direct), what).toEqual(withoutHashes(objects));
    }
  });

  it('keeps claim, volume and references consistent under an overlay namePrefix', async () => {
    await using dir = await tempDir();
    const base = renderBase({ storage: { nfs: { server: 'nfs', path: '/x' } } });
    await buildTree(dir.path, base, renderOverlay({ credentials, nfsVolume: true }));
    await appendFile(
      join(dir.path, 'overlays', 'test', 'kustomization.yaml'),
      'namePrefix: blue-\n',
    );
    const objects = await kustomize(join(dir.path, 'overlays', 'test'));
    expect(schemaProblems(objects)).toEqual([]);
    const pvc = one(objects, 'PersistentVolumeClaim') as unknown as {
      metadata: { name: string };
      spec: { volumeName: string };
    };
    expect(pvc.metadata.name).toBe('blue-activemq-shared');
    expect(pvc.spec.volumeName).toBe('blue-activemq-shared.activemq');
    expect(one(objects, 'PersistentVolume')).toMatchObject({
      metadata: { name: 'blue-activemq-shared.activemq' },
      spec: { claimRef: { name: 'blue-activemq-shared', namespace: 'activemq' } },
    });
    expect(JSON.stringify(one(objects, 'Deployment'))).toContain(
      '"claimName":"blue-activemq-shared"',
    );
    const binding = one(objects, 'RoleBinding') as unknown as {
      subjects: { name: string }[];
      roleRef: { name: string };
    };
    expect(binding.subjects[0]?.name).toBe('blue-activemq');
    expect(binding.roleRef.name).toBe('blue-activemq-agent');
  });

  it('gives two overlays of one NFS base two volumes, each reserved for its own claim', async () => {
    await using dir = await tempDir();
    const base = renderBase({ storage: { nfs: { server: 'nfs', path: '/x' } } });
    await writeTree(join(dir.path, 'base'), base);
    const volumes = [];
    for (const namespace of ['staging', 'prod']) {
      const overlay = join(dir.path, 'overlays', namespace);
      await writeTree(overlay, renderOverlay({ namespace, credentials, nfsVolume: true }));
      volumes.push(one(await kustomize(overlay), 'PersistentVolume'));
    }
    expect(volumes.map((v) => v.metadata.name)).toEqual([
      'activemq-shared.staging',
      'activemq-shared.prod',
    ]);
  });

  it('the restricted checker itself rejects what the admission controller would', () => {
    const violations = podViolations({
      hostNetwork: true,
      containers: [
        { name: 'c', securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } },
      ],
      volumes: [{ name: 'h', hostPath: { path: '/' } }],
    });
    expect(violations).toEqual(
      expect.arrayContaining([
        'host namespaces',
        'volume h of type hostPath',
        'container c: privileged',
        'container c: allowPrivilegeEscalation must be false',
        'container c: runAsNonRoot must be true',
        'container c: seccompProfile must be RuntimeDefault or Localhost',
        'container c: capabilities must drop ALL',
        'container c: adds capability SYS_ADMIN',
      ]),
    );
  });
});
