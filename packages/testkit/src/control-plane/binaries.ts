// Where scripts/setup-kube.sh put the control-plane binaries. The versions come from the wrapper
// modules in tools/ (the one place they are pinned), so the harness never runs a stale build.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ControlPlaneError } from './errors.js';

export interface ControlPlaneBinaries {
  readonly etcd: string;
  readonly kubeApiserver: string;
  readonly kubeControllerManager: string;
  /** `v1.37.2`: what the API server's /version reports. */
  readonly kubeVersion: string;
  readonly etcdVersion: string;
}

/** The repository root: the nearest parent with tools/kube/go.mod. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'tools', 'kube', 'go.mod'))) {
    const up = dirname(dir);
    if (up === dir)
      throw new ControlPlaneError(
        'BINARY_MISSING',
        'cannot find tools/kube/go.mod above the testkit',
      );
    dir = up;
  }
  return dir;
}

/** The version `module` is required at in a wrapper go.mod (not a replace line). */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)(?:\\s*//.*)?$`, 'm').exec(
    goMod,
  )?.[1];
}

/**
 * The cached binaries, as scripts/setup-kube.sh lays them out:
 * `${ACTIVEMQ_HA_CACHE:-~/.cache/activemq-ha}/bin/<component>-<version>/<component>`.
 */
export function locateControlPlaneBinaries(
  env: NodeJS.ProcessEnv = process.env,
): ControlPlaneBinaries {
  const root = repoRoot();
  const version = (tool: string, module: string): string => {
    const v = requiredVersion(readFileSync(join(root, 'tools', tool, 'go.mod'), 'utf8'), module);
    if (!v)
      throw new ControlPlaneError(
        'BINARY_MISSING',
        `tools/${tool}/go.mod does not require ${module}`,
      );
    return v;
  };
  const kubeVersion = version('kube', 'k8s.io/kubernetes');
  const etcdVersion = version('etcd', 'go.etcd.io/etcd/server/v3');
  const cache = env.ACTIVEMQ_HA_CACHE || join(homedir(), '.cache', 'activemq-ha');
  const bin = (name: string, v: string): string => {
    const file = join(cache, 'bin', `${name}-${v}`, name);
    if (!existsSync(file)) {
      throw new ControlPlaneError(
        'BINARY_MISSING',
        `${file} is missing: run \`sh scripts/setup-kube.sh\` (scripts/setup.sh does) to build ${name} ${v}`,
        { component: name },
      );
    }
    return file;
  };
  return {
    etcd: bin('etcd', etcdVersion),
    kubeApiserver: bin('kube-apiserver', kubeVersion),
    kubeControllerManager: bin('kube-controller-manager', kubeVersion),
    kubeVersion,
    etcdVersion,
  };
}
