import type { KubeObject } from '@activemq-ha/manifests';

/**
 * Pod Security Standards "restricted" (Kubernetes 1.32), checked on pod templates: schema
 * validation accepts a privileged pod, the admission controller would not.
 */
const ALLOWED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: { type?: string };
  capabilities?: { add?: string[]; drop?: string[] };
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
  appArmorProfile?: { type?: string };
  sysctls?: { name: string }[];
}
interface Container {
  name: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}
interface PodSpec {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes?: Record<string, unknown>[];
}

export function restrictedViolations(objects: readonly KubeObject[]): string[] {
  const out: string[] = [];
  for (const object of objects) {
    const pod = (object.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
    if (pod)
      out.push(...podViolations(pod).map((v) => `${object.kind} ${object.metadata.name}: ${v}`));
  }
  return out;
}

export function podViolations(pod: PodSpec): string[] {
  const v: string[] = [];
  const podSc = pod.securityContext ?? {};
  if (pod.hostNetwork || pod.hostPID || pod.hostIPC) v.push('host namespaces');
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (!type || !ALLOWED_VOLUMES.has(type))
      v.push(`volume ${String(volume.name)} of type ${type}`);
  }
  if (podSc.runAsUser === 0) v.push('pod runAsUser 0');
  if (podSc.seccompProfile?.type === 'Unconfined') v.push('pod seccomp Unconfined');
  if (podSc.sysctls?.length) v.push('pod sysctls');
  for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
    const sc = c.securityContext ?? {};
    const at = `container ${c.name}`;
    if (sc.privileged) v.push(`${at}: privileged`);
    if (sc.windowsOptions?.hostProcess) v.push(`${at}: hostProcess`);
    if (sc.allowPrivilegeEscalation !== false)
      v.push(`${at}: allowPrivilegeEscalation must be false`);
    if (!(sc.runAsNonRoot ?? podSc.runAsNonRoot)) v.push(`${at}: runAsNonRoot must be true`);
    if (sc.runAsUser === 0) v.push(`${at}: runAsUser 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') {
      v.push(`${at}: seccompProfile must be RuntimeDefault or Localhost`);
    }
    if (!sc.capabilities?.drop?.includes('ALL')) v.push(`${at}: capabilities must drop ALL`);
    for (const cap of sc.capabilities?.add ?? []) {
      if (cap !== 'NET_BIND_SERVICE') v.push(`${at}: adds capability ${cap}`);
    }
    if (sc.procMount && sc.procMount !== 'Default') v.push(`${at}: procMount`);
    if (sc.appArmorProfile?.type === 'Unconfined') v.push(`${at}: AppArmor Unconfined`);
    if (c.ports?.some((p) => p.hostPort)) v.push(`${at}: hostPort`);
  }
  return v;
}
