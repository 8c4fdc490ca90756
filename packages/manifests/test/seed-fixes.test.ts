import { type KubeObject, renderBase, renderOverlay } from '@activemq-ha/manifests';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildTree, tempDir } from './helpers/kustomize.js';

/** The golden and regression bases use a ReadWriteMany storage class (a storage choice is required). */
const STORE = { storage: { storageClassName: 'nfs-csi' } } as const;

/**
 * Regression tests for what the replaced seed project got wrong: a Deployment and a PVC naming
 * two different claims (and the PVC missing from resources), jetty.xml serving the demo web apps,
 * admin/admin-style default passwords, and RBAC broader than the agent needs.
 */
const credentials = {
  brokerPassword: 'QmVh8xR3tW2zL9pK5nJ4',
  consolePassword: 'Zx7cV2bN9mK4lJ8hG5fD',
};

async function build(
  base = renderBase(STORE),
  overlay = renderOverlay({ credentials }),
): Promise<KubeObject[]> {
  await using dir = await tempDir();
  // Awaited here, so the directory is removed only after the build.
  return await buildTree(dir.path, base, overlay);
}

describe('fixes over the seed', () => {
  it('the Deployment mounts the claim the build contains', async () => {
    const base = renderBase(STORE);
    expect(parse(base['kustomization.yaml'] as string).resources).toContain(
      'persistentvolumeclaim.yaml',
    );
    const objects = await build(base);
    const claims = objects
      .filter((o) => o.kind === 'PersistentVolumeClaim')
      .map((o) => o.metadata.name);
    const mounted = [...JSON.stringify(objects).matchAll(/"claimName":"([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(claims).toEqual(['activemq-shared']);
    expect(mounted).toEqual(claims);
  });

  it('jetty.xml serves only the admin console, behind authentication', () => {
    const jetty = renderBase(STORE)['config/jetty.xml'] as string;
    const contexts = [...jetty.matchAll(/name="contextPath" value="([^"]+)"/g)].map((m) => m[1]);
    expect(contexts).toEqual(['/admin']);
    const beans = jetty.replace(/<!--[\s\S]*?-->/g, '');
    expect(beans).not.toMatch(/demo|\/api|fileserver|ResourceHandler/i);
    expect(jetty).toContain('<property name="authenticate" value="true"/>');
    expect(jetty).toContain('value="/etc/activemq-ha/console/jetty-realm.properties"');
    expect(jetty).toMatch(/name="host" value="127\.0\.0\.1"/);
  });

  it('no default passwords anywhere: the base holds none, the Secret holds only the supplied ones', async () => {
    const base = renderBase(STORE);
    for (const [path, contents] of Object.entries(base)) {
      expect(contents, path).not.toMatch(
        /admin:\s*admin|manager|password\s*[:=]\s*\w|ACTIVEMQ_PASSWORD=/i,
      );
    }
    const objects = await build(base);
    const secrets = objects.filter((o) => o.kind === 'Secret') as unknown as {
      data: Record<string, string>;
    }[];
    expect(secrets).toHaveLength(1);
    const data = Object.fromEntries(
      Object.entries(secrets[0]?.data ?? {}).map(([k, v]) => [
        k,
        Buffer.from(v, 'base64').toString(),
      ]),
    );
    expect(data).toEqual({
      ACTIVEMQ_USERNAME: 'app',
      ACTIVEMQ_PASSWORD: credentials.brokerPassword,
      'jetty-realm.properties': `admin: ${credentials.consolePassword}, admin\n`,
    });
    // The broker reads its password from the environment, never from the ConfigMap.
    expect(base['config/activemq.xml']).toContain(`password="\${ACTIVEMQ_PASSWORD}"`);
    expect(() => renderOverlay({ credentials: { brokerPassword: '' } as never })).toThrow(
      /brokerPassword/,
    );
  });

  it('RBAC grants only the verbs the agent uses; the Lease by name', async () => {
    const rulesOf = (objects: KubeObject[]) =>
      (objects.find((o) => o.kind === 'Role') as unknown as { rules: unknown[] }).rules;
    // No core `events`: the agent records events.k8s.io/v1 Events only. Lease create cannot be
    // narrowed by name in RBAC (the name is unknown at authorization).
    expect(rulesOf(await build())).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'patch'] },
      { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
      {
        apiGroups: ['coordination.k8s.io'],
        resources: ['leases'],
        resourceNames: ['activemq-leader'],
        verbs: ['get', 'update'],
      },
      { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
    ]);
    const objects = await build();
    expect(objects.some((o) => o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding')).toBe(
      false,
    );
  });

  it('uses kustomize v5 fields only', () => {
    const k = parse(renderBase(STORE)['kustomization.yaml'] as string) as Record<string, unknown>;
    for (const deprecated of [
      'commonLabels',
      'bases',
      'patchesStrategicMerge',
      'patchesJson6902',
      'vars',
    ]) {
      expect(k).not.toHaveProperty(deprecated);
    }
    expect(k.labels).toBeDefined();
  });
});
