// The container runtime stand-in: a container is a local process (a broker, an agent, an HTTP
// server in the test), and an image is a factory that starts one for a container of a pod spec.
// The kubelet stand-in runs pods it did not create by looking their images up here; an image it
// does not know is a failed pull (ErrImagePull, then ImagePullBackOff), as a registry's 404 is.
import type { V1Container, V1Pod } from '@kubernetes/client-node';

/** A local process playing one container of a pod. */
export interface LocalContainer {
  readonly name: string;
  readonly running: boolean;
  /** Sends `signal`; resolves once the process has exited (at once if it is not running). */
  stop(signal: NodeJS.Signals): Promise<unknown>;
  /**
   * Starts the same process again after it exited (the kubelet's restart under restartPolicy
   * Always). Without it an exited container stays exited, for tests that restart it themselves.
   * Containers run from an image are restarted by starting the image again instead.
   */
  start?(): Promise<unknown>;
  /** The exit code once the process exited (`terminated.exitCode`); init containers need 0. */
  readonly exitCode?: number | undefined;
  /**
   * What it said when it failed (`terminated.message`, as terminationMessagePolicy
   * FallbackToLogsOnError shows the tail of the output).
   */
  readonly terminationMessage?: string | undefined;
  /**
   * Where exec probes run: the process's directory and environment, and a rewrite of the
   * command's paths where the image's file system (its mounts, its pid namespace) is a directory
   * or a process of this machine.
   */
  readonly exec?: {
    readonly cwd?: string;
    readonly env?: NodeJS.ProcessEnv;
    readonly command?: (argv: readonly string[]) => readonly string[];
  };
  /**
   * Where container port `port` of the spec is reachable from this machine (the runtime's port
   * mapping: local processes cannot all bind the spec's port); `undefined` while it does not
   * listen. @default the pod's host and `port`
   */
  address?(port: number): { readonly host: string; readonly port: number } | undefined;
}

/** What an image factory gets: the pod as the API has it and the container to start. */
export interface LocalImageContext {
  readonly pod: V1Pod;
  readonly container: V1Container;
  /** An init container (runs to completion before the next one). */
  readonly init: boolean;
  /** The container's `env` with values and downward-API field references resolved. */
  readonly env: Readonly<Record<string, string>>;
  /** The local address the pod's processes bind (the pod IP the API shows maps to it). */
  readonly podHost: string;
  /** How often this container was started before (0 at the first start). */
  readonly restartCount: number;
}

/** Starts a container from an image; resolves once the process runs (it may exit at once). */
export type LocalImage = (context: LocalImageContext) => Promise<LocalContainer>;

/** Image reference (as the pod spec writes it) → the factory that runs it. */
export type LocalImages = Readonly<Record<string, LocalImage>>;

/**
 * The container's environment as the kubelet builds it: literal values, and the downward API's
 * field references the kubelet resolves (metadata.name/namespace/uid, labels and annotations by
 * key, spec.nodeName, spec.serviceAccountName, status.podIP, status.hostIP). Secret and ConfigMap
 * references are left out: the stand-in has no volume or secret manager.
 */
export function containerEnv(
  pod: V1Pod,
  container: V1Container,
  podIP: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = expand(e.value, env);
    const path = e.valueFrom?.fieldRef?.fieldPath;
    if (path !== undefined) {
      const value = fieldValue(pod, path, podIP);
      if (value !== undefined) env[e.name] = value;
    }
  }
  return env;
}

/** `$(VAR)` references to earlier variables, as the kubelet expands them; `$$` escapes. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, name: string | undefined) =>
    m === '$$' ? '$' : name !== undefined && name in env ? (env[name] as string) : m,
  );
}

function fieldValue(pod: V1Pod, path: string, podIP: string): string | undefined {
  const meta = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2] as string];
  switch (path) {
    case 'metadata.name':
      return meta.name;
    case 'metadata.namespace':
      return meta.namespace;
    case 'metadata.uid':
      return meta.uid;
    case 'spec.nodeName':
      return pod.spec?.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName;
    case 'status.podIP':
      return podIP;
    case 'status.hostIP':
      return '127.0.0.1';
    default:
      return undefined;
  }
}
