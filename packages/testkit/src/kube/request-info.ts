// k8s.io/apiserver's RequestInfoFactory, for the paths the emulator serves.

export interface RequestInfo {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly isResourceRequest: boolean;
  /** Kubernetes verb for resource requests (get, list, watch, create, update, patch, delete, deletecollection); the lower-case HTTP method otherwise. */
  readonly verb: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly namespace?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly name?: string;
}

function truthy(v: string | null): boolean {
  return v === 'true' || v === '1';
}

export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  const query = url.searchParams;
  const parts = path.split('/').filter((p) => p !== '');
  const base = { method, path, query, apiGroup: '', apiVersion: '' };
  const nonResource: RequestInfo = {
    ...base,
    isResourceRequest: false,
    verb: method.toLowerCase(),
  };
  let group = '';
  let version: string | undefined;
  let rest: string[];
  if (parts[0] === 'api') {
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    group = parts[1] ?? '';
    version = parts[2];
    rest = parts.slice(3);
  } else return nonResource;
  if (!version || rest.length === 0) return nonResource;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces') {
    // The namespace object itself (GET /api/v1/namespaces/default).
    return {
      ...base,
      isResourceRequest: true,
      verb: verbOf(method, rest[1], query),
      apiGroup: group,
      apiVersion: version,
      resource: 'namespaces',
      name: rest[1],
    };
  }
  const [resource, name, subresource] = rest;
  return {
    ...base,
    isResourceRequest: true,
    verb: verbOf(method, name, query),
    apiGroup: group,
    apiVersion: version,
    namespace,
    resource,
    name,
    subresource,
  };
}

function verbOf(method: string, name: string | undefined, query: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (truthy(query.get('watch'))) return 'watch';
      return name ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return name ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
