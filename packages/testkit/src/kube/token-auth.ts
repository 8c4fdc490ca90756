import type { RequestInfo } from './request-info.js';

/**
 * One RBAC PolicyRule. Subresources are separate resources, as in RBAC (`pods/status`).
 * Wildcards: `'*'` in any list.
 */
export interface RbacRule {
  readonly verbs: readonly string[];
  readonly resources: readonly string[];
  /** @default ['*'] */
  readonly apiGroups?: readonly string[];
  /** Restricts to these object names (then list/watch/create are not granted, as in RBAC). */
  readonly resourceNames?: readonly string[];
}

export interface TokenIdentity {
  /** User name shown in Forbidden messages, e.g. `system:serviceaccount:default:broker`. */
  readonly user: string;
  /** `undefined` = everything allowed (cluster-admin). */
  readonly rules?: readonly RbacRule[];
}

export class TokenRegistry {
  private readonly tokens = new Map<string, TokenIdentity>();

  set(token: string, identity: TokenIdentity): void {
    this.tokens.set(token, identity);
  }

  get(token: string): TokenIdentity | undefined {
    return this.tokens.get(token);
  }

  delete(token: string): void {
    this.tokens.delete(token);
  }

  /** The identity behind an `Authorization: Bearer <token>` header, if the token is known. */
  authenticate(header: string | undefined): TokenIdentity | undefined {
    const m = /^bearer\s+(.+)$/i.exec(header ?? '');
    if (!m) return undefined;
    // Token files often end in a newline; client-go trims it, the server never sees it.
    return this.tokens.get((m[1] as string).trim());
  }
}

function matchesList(list: readonly string[] | undefined, value: string): boolean {
  return list === undefined || list.includes('*') || list.includes(value);
}

/** RBAC's rule evaluation for a resource request; non-resource paths are allowed. */
export function isAllowed(identity: TokenIdentity, info: RequestInfo): boolean {
  if (!identity.rules) return true;
  if (!info.isResourceRequest) return true;
  const resource = info.subresource
    ? `${info.resource}/${info.subresource}`
    : (info.resource ?? '');
  return identity.rules.some(
    (r) =>
      matchesList(r.verbs, info.verb) &&
      matchesList(r.apiGroups, info.apiGroup) &&
      matchesList(r.resources, resource) &&
      (r.resourceNames === undefined ||
        r.resourceNames.length === 0 ||
        (info.name !== undefined && r.resourceNames.includes(info.name))),
  );
}

/** responsewriters.forbiddenMessage */
export function forbiddenReason(user: string, info: RequestInfo): string {
  if (!info.isResourceRequest) return `User "${user}" cannot ${info.verb} path "${info.path}"`;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  if (info.namespace) {
    return `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" in the namespace "${info.namespace}"`;
  }
  return `User "${user}" cannot ${info.verb} resource "${resource}" in API group "${info.apiGroup}" at the cluster scope`;
}
