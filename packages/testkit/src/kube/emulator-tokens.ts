// Who may talk to the emulator: bearer tokens with their RBAC rules (the primary one plays the
// agent's service-account token), the primary token's rotation, and the files clients read it
// from: a token file like a projected service-account token, and kubeconfigs. The API handler
// only authenticates against `registry`; everything else here is for tests.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeEmulatorError } from './errors.js';
import { kubeconfigYaml, writeFileAtomicSync } from './kubeconfig.js';
import { type RbacRule, TokenRegistry } from './token-auth.js';

/** Where the API is, for the files and configs that point at it. */
export interface TokenServerLocation {
  /** The API's URL; read when a file or config is written, after the server listens. */
  readonly url: () => string;
  /** PEM of the server certificate, or undefined for plain HTTP. */
  readonly caCert: string | undefined;
  /** Default namespace of the kubeconfigs. */
  readonly namespace: string;
}

export interface EmulatorTokensOptions {
  /** Directory of the token file and kubeconfigs. */
  readonly dir: string;
  /** The primary token. @default a random token */
  readonly token?: string;
  /** @default 'system:serviceaccount:default:activemq-ha' */
  readonly user?: string;
  /** RBAC rules of the primary token. @default everything allowed */
  readonly rules?: readonly RbacRule[];
}

export class EmulatorTokens {
  /** The tokens the API accepts. */
  readonly registry = new TokenRegistry();
  readonly tokenFilePath: string;
  readonly kubeconfigPath: string;
  private readonly dir: string;
  private currentToken: string;

  constructor(
    opts: EmulatorTokensOptions,
    private readonly server: TokenServerLocation,
  ) {
    this.dir = opts.dir;
    this.currentToken = opts.token ?? randomBytes(24).toString('base64url');
    this.registry.set(this.currentToken, {
      user: opts.user ?? 'system:serviceaccount:default:activemq-ha',
      ...(opts.rules ? { rules: opts.rules } : {}),
    });
    this.tokenFilePath = join(this.dir, 'token');
    this.kubeconfigPath = join(this.dir, 'kubeconfig');
  }

  /** The currently valid primary token. */
  get token(): string {
    return this.currentToken;
  }

  /** (Re)writes the token file and the primary kubeconfig, each atomically. */
  writeCredentialFiles(): void {
    // No trailing newline: like a projected service-account token.
    writeFileAtomicSync(this.tokenFilePath, this.currentToken);
    writeFileAtomicSync(this.kubeconfigPath, this.kubeconfigText({}));
  }

  /** A client-node KubeConfig for the API (primary token unless `token` is given). */
  kubeConfig(opts: { readonly token?: string; readonly namespace?: string } = {}): KubeConfig {
    const kc = new KubeConfig();
    const caCert = this.server.caCert;
    kc.loadFromOptions({
      clusters: [
        {
          name: 'emulator',
          server: this.server.url(),
          skipTLSVerify: false,
          ...(caCert ? { caData: Buffer.from(caCert).toString('base64') } : {}),
        },
      ],
      users: [{ name: 'emulator', token: opts.token ?? this.currentToken }],
      contexts: [
        {
          name: 'emulator',
          cluster: 'emulator',
          user: 'emulator',
          namespace: opts.namespace ?? this.server.namespace,
        },
      ],
      currentContext: 'emulator',
    });
    return kc;
  }

  /** Writes a kubeconfig for another token or namespace; returns its path. */
  writeKubeconfig(
    opts: { readonly path?: string; readonly token?: string; readonly namespace?: string } = {},
  ): string {
    const path = opts.path ?? join(this.dir, `kubeconfig-${randomBytes(4).toString('hex')}`);
    writeFileAtomicSync(path, this.kubeconfigText(opts));
    return path;
  }

  private kubeconfigText(opts: { readonly token?: string; readonly namespace?: string }): string {
    return kubeconfigYaml({
      server: this.server.url(),
      token: opts.token ?? this.currentToken,
      namespace: opts.namespace ?? this.server.namespace,
      caCert: this.server.caCert,
    });
  }

  /**
   * Replaces the primary token: the old one gets 401 from now on. `tokenFilePath` and
   * `kubeconfigPath` are rewritten atomically, as the kubelet rotates a projected token.
   * Returns the new token.
   */
  rotateToken(newToken: string = randomBytes(24).toString('base64url')): string {
    const identity = this.registry.get(this.currentToken);
    this.registry.delete(this.currentToken);
    this.currentToken = newToken;
    if (identity) this.registry.set(newToken, identity);
    this.writeCredentialFiles();
    return newToken;
  }

  /** Accepts another token, e.g. one with restricted RBAC rules. */
  addToken(
    token: string,
    identity: { readonly user?: string; readonly rules?: readonly RbacRule[] } = {},
  ): void {
    this.registry.set(token, {
      user: identity.user ?? 'system:serviceaccount:default:restricted',
      ...(identity.rules ? { rules: identity.rules } : {}),
    });
  }

  removeToken(token: string): void {
    this.registry.delete(token);
  }

  /** Sets the RBAC rules of a token (primary by default); `undefined` allows everything. */
  setRules(rules: readonly RbacRule[] | undefined, token: string = this.currentToken): void {
    const identity = this.registry.get(token);
    if (!identity) throw new KubeEmulatorError('INVALID_ARGUMENT', 'unknown token');
    this.registry.set(token, { user: identity.user, ...(rules ? { rules } : {}) });
  }
}
