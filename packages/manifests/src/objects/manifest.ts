import { Document, isMap, isSeq, type Node } from 'yaml';

/**
 * YAML 1.1 output quotes `yes`/`no`/`on`/`off`, which kustomize (YAML 1.1) would otherwise read as
 * booleans: `leader: no` must stay the string "no". No anchors: every object is spelled out.
 */
const YAML_OPTIONS = { version: '1.1', aliasDuplicateObjects: false } as const;

/** Plain data (a kustomization, a Namespace) as YAML that kustomize reads back unchanged. */
export function toYaml(value: unknown): string {
  return new Document(value, YAML_OPTIONS).toString({ lineWidth: 0 });
}

/** A Kubernetes object as plain data, the shape `kubectl apply` takes. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly [field: string]: unknown;
}

/** A comment placed above the node at `path` (keys and list indexes from the object's root). */
export interface ManifestComment {
  readonly path: readonly (string | number)[];
  readonly text: string;
}

/** An object plus the comments that explain its choices in the rendered YAML. */
export interface Manifest {
  readonly object: KubeObject;
  readonly comments?: readonly ManifestComment[];
}

/** The names every object of a group uses, derived from the `name` option. */
export interface GroupNames {
  readonly app: string;
  readonly serviceAccount: string;
  readonly role: string;
  readonly roleBinding: string;
  readonly service: string;
  /** cert-manager Certificate (with `tls.certManager`). */
  readonly certificate: string;
  readonly deployment: string;
  readonly claim: string;
  readonly volume: string;
  readonly config: string;
  readonly credentials: string;
  readonly disruptionBudget: string;
  readonly networkPolicy: string;
}

export function groupNames(name: string): GroupNames {
  return {
    app: name,
    serviceAccount: name,
    role: `${name}-agent`,
    roleBinding: `${name}-agent`,
    service: name,
    certificate: `${name}-tls`,
    deployment: name,
    claim: `${name}-shared`,
    volume: `${name}-shared`,
    config: `${name}-config`,
    credentials: `${name}-credentials`,
    disruptionBudget: name,
    networkPolicy: name,
  };
}

/** Label every pod of the group carries; the Service, the agent and the policies select on it. */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** The label the agent flips; the client Service selects `leader: "yes"`. */
export const LEADER_LABEL = 'leader';

/** Renders one object as a YAML document, comments included. */
export function manifestToYaml(manifest: Manifest, header?: string): string {
  const doc = new Document(manifest.object, YAML_OPTIONS);
  if (header) doc.commentBefore = ` ${header}`;
  for (const comment of manifest.comments ?? []) {
    const node = doc.getIn(comment.path, true) as Node | undefined;
    if (!node) throw new Error(`no node at ${comment.path.join('.')} in ${manifest.object.kind}`);
    const pair = pairOf(doc, comment.path);
    const target = pair ?? node;
    target.commentBefore = comment.text
      .split('\n')
      .map((line) => ` ${line}`)
      .join('\n');
  }
  return doc.toString({ lineWidth: 0 });
}

/** Map keys carry comments better than values: a comment before a key renders above `key:`. */
function pairOf(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const parentPath = path.slice(0, -1);
  const last = path[path.length - 1];
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
    return pair?.key as Node | undefined;
  }
  if (isSeq(parent) && typeof last === 'number') return parent.items[last] as Node | undefined;
  return undefined;
}
