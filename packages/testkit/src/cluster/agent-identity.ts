// The agent authenticates as it would in a pod: as the ServiceAccount the generated manifests
// define, authorized only by the generated Role and RoleBinding (so a verb missing from the Role
// fails a test), with a bound token from the TokenRequest API in a file the harness rotates before
// it expires — what the kubelet's projected service-account token volume does
// (pkg/kubelet/token/token_manager.go: refresh after 80% of the TTL).
import { generatePassword, renderObjects } from '@activemq-ha/manifests';
import { CoreV1Api, type KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { writeFileAtomic } from '../kube/kubeconfig.js';

const RBAC_KINDS = new Set(['ServiceAccount', 'Role', 'RoleBinding']);

/** Creates the generated ServiceAccount, Role and RoleBinding in `namespace`; returns the account's name. */
export async function applyAgentRbac(
  kubeConfig: KubeConfig,
  namespace: string,
  groupName = 'activemq',
): Promise<string> {
  const objects = renderObjects({
    base: { name: groupName, storage: { storageClassName: 'nfs-rwx' } },
    overlay: {
      name: groupName,
      namespace,
      createNamespace: false,
      credentials: { brokerPassword: generatePassword(), consolePassword: generatePassword() },
    },
  })
    .map((m) => m.object)
    .filter((o) => RBAC_KINDS.has(String(o.kind)));
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  let account: string | undefined;
  for (const object of objects) {
    await api.create(object as Parameters<typeof api.create>[0]);
    if (object.kind === 'ServiceAccount') account = (object.metadata as { name: string }).name;
  }
  if (!account) throw new Error('the generated manifests define no ServiceAccount');
  return account;
}

export interface ServiceAccountTokenOptions {
  /** @default 3600 (the kubelet's default for projected tokens; the API's minimum is 600) */
  readonly expirationSeconds?: number;
  /** Audiences of the token. @default the API server's (`--api-audiences`, the issuer) */
  readonly audiences?: readonly string[];
}

/** A bound service-account token kept fresh in `file`. */
export class ServiceAccountTokenFile {
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  /** How many tokens were written (1 after start, +1 per rotation). */
  rotations = 0;
  lastError: unknown;

  private constructor(
    private readonly core: CoreV1Api,
    readonly namespace: string,
    readonly serviceAccount: string,
    readonly file: string,
    private readonly options: ServiceAccountTokenOptions,
  ) {}

  static async start(
    kubeConfig: KubeConfig,
    namespace: string,
    serviceAccount: string,
    file: string,
    options: ServiceAccountTokenOptions = {},
  ): Promise<ServiceAccountTokenFile> {
    const t = new ServiceAccountTokenFile(
      kubeConfig.makeApiClient(CoreV1Api),
      namespace,
      serviceAccount,
      file,
      options,
    );
    await t.rotate();
    return t;
  }

  /** Requests a new token, writes it atomically, and schedules the next rotation at 80% of its lifetime. */
  async rotate(): Promise<void> {
    const answer = await this.core.createNamespacedServiceAccountToken({
      name: this.serviceAccount,
      namespace: this.namespace,
      body: {
        spec: {
          expirationSeconds: this.options.expirationSeconds ?? 3600,
          ...(this.options.audiences ? { audiences: [...this.options.audiences] } : {}),
        },
      },
    });
    const token = answer.status?.token;
    if (!token)
      throw new Error(
        `TokenRequest for ${this.namespace}/${this.serviceAccount} returned no token`,
      );
    await writeFileAtomic(this.file, token);
    this.rotations++;
    const expires = answer.status?.expirationTimestamp
      ? new Date(answer.status.expirationTimestamp).getTime()
      : Date.now() + 600_000;
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(
      () =>
        void this.rotate().catch((e: unknown) => {
          this.lastError = e;
        }),
      Math.max(1000, (expires - Date.now()) * 0.8),
    );
    this.#timer.unref();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }
}
