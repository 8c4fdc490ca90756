import { createHash } from 'node:crypto';
import { baseManifests, commonLabels } from './base-manifests.js';
import { renderBrokerConfig } from './broker/broker-config.js';
import { overlayDefaults, withParts } from './components.js';
import { groupNames, type KubeObject, type Manifest, manifestToYaml } from './objects/manifest.js';
import { podMonitor } from './objects/pod-monitor.js';
import { certificate } from './objects/tls.js';
import type { BaseOptions, OverlayOptions } from './options.js';
import { credentialSecretData, namespaceObject } from './render-overlay.js';
import { definedOnly, resolveBaseOptions, resolveOverlayOptions } from './resolve-options.js';

export interface RenderOptions {
  readonly base: BaseOptions;
  /** `name` and `console` default to the base's. */
  readonly overlay: OverlayOptions;
}

const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume']);

/**
 * The objects `kubectl kustomize <overlay>` would build from `renderBase` + `renderOverlay`,
 * computed directly (no kustomize needed). Only the hash suffixes of the generated ConfigMap and
 * Secret names differ from kustomize's: they are sha256-based here.
 */
export function renderObjects(options: RenderOptions): Manifest[] {
  const base = resolveBaseOptions(options.base);
  const overlay = resolveOverlayOptions({
    ...overlayDefaults(base),
    ...definedOnly(options.overlay),
  });
  const plain = groupNames(base.name);
  const built = withParts(base, overlay);
  const config = renderBrokerConfig(built);
  const secret = credentialSecretData(overlay);
  const names = {
    ...plain,
    config: `${plain.config}-${contentHash(config)}`,
    credentials: secret ? `${plain.credentials}-${contentHash(secret)}` : plain.credentials,
  };
  const labels = commonLabels(names);
  const ns = overlay.namespace;

  const configMap: Manifest = {
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: names.config }, data: config },
  };
  const fromBase = [...baseManifests(names, built, overlay.namespace), configMap].map((m) =>
    withLabels(m, labels),
  );
  const secretObject: Manifest | undefined = secret && {
    object: {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'Opaque',
      metadata: { name: names.credentials },
      data: Object.fromEntries(
        Object.entries(secret).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
      ),
    },
  };
  // Component resources are outside the base's `labels`, so they carry none of its labels.
  const monitoring = overlay.monitoring ? [podMonitor(plain, base)] : [];
  const cert = certificate(plain, built, ns);
  const certificates = cert ? [withLabels(cert, labels)] : [];
  const all = [
    ...(overlay.createNamespace ? [{ object: namespaceObject(ns) as KubeObject }] : []),
    ...fromBase,
    ...monitoring,
    ...certificates,
    ...(secretObject ? [secretObject] : []),
  ];
  return all.map((m) => inNamespace(m, ns));
}

/** `renderObjects` as one multi-document YAML stream, comments included. */
export function renderYaml(options: RenderOptions): string {
  return renderObjects(options)
    .map((m) => manifestToYaml(m))
    .join('---\n');
}

function contentHash(data: Record<string, string>): string {
  return createHash('sha256').update(JSON.stringify(data)).digest('hex').slice(0, 10);
}

/** What kustomize's `labels` with `includeTemplates: true` does. */
function withLabels(m: Manifest, labels: Record<string, string>): Manifest {
  const object = structuredClone(m.object) as KubeObject & {
    metadata: { labels?: Record<string, string> };
    spec?: { template?: { metadata?: { labels?: Record<string, string> } } };
  };
  object.metadata.labels = { ...object.metadata.labels, ...labels };
  const template = object.spec?.template;
  if (object.kind === 'Deployment' && template?.metadata) {
    template.metadata.labels = { ...template.metadata.labels, ...labels };
  }
  return { ...m, object };
}

/** What kustomize's `namespace` does, RoleBinding subjects included. */
function inNamespace(m: Manifest, namespace: string): Manifest {
  if (CLUSTER_SCOPED.has(m.object.kind)) return m;
  const object = structuredClone(m.object) as KubeObject & {
    metadata: { namespace?: string };
    subjects?: { kind: string; namespace?: string }[];
  };
  const { name, ...rest } = object.metadata;
  object.metadata = { name, namespace, ...rest };
  for (const subject of object.subjects ?? []) {
    if (subject.kind === 'ServiceAccount') subject.namespace = namespace;
  }
  return { ...m, object };
}
