// The HTTP face of the emulator: authentication, faults, authorization, content negotiation and
// the REST verbs, in the order the real server's filter chain applies them. It owns no state: the
// objects, tokens, faults, request log and open watches are the emulator's parts, given to it as
// small interfaces, so it runs in process on node:http objects without a server (unit tests).
import type { Socket } from 'node:net';
import { apiErrors, fieldError } from './api-status.js';
import { apiGroup, apiGroupList, apiVersions, resourceList, versionInfo } from './discovery.js';
import { KubeStatusError } from './errors.js';
import type { FaultInjector } from './fault-injector.js';
import { parseFieldSelector } from './field-selector.js';
import {
  type ApiRequest,
  type ApiResponse,
  goAwayAfter,
  protocolOf,
  resetStream,
  writeHead,
} from './http-exchange.js';
import { isObject, type JsonObject } from './json.js';
import { parseLabelSelector, SelectorParseError } from './label-selector.js';
import {
  type DeletePreconditions,
  groupResource,
  type ListSelectors,
  type ObjectRegistry,
  type PatchType,
} from './object-registry.js';
import type { ObjectStore } from './object-store.js';
import type { OpenWatches } from './open-watches.js';
import { bindPod } from './pod-binding.js';
import { parseRequestInfo, type RequestInfo } from './request-info.js';
import type { RequestLog } from './request-log.js';
import { apiVersionOf, findResource, type ResourceDef, toExternal } from './resources.js';
import { type IncludeObject, type TableOptions, toTable } from './tables.js';
import { forbiddenReason, isAllowed, type TokenRegistry } from './token-auth.js';
import type { KubeObject, Verb } from './types.js';
import { type CutMode, WatchStream } from './watch-stream.js';

/** The parts the handler serves from. */
export interface ApiHandlerDeps {
  readonly registry: ObjectRegistry;
  readonly store: ObjectStore;
  /** Who a bearer token is (the tokens part's registry). */
  readonly authenticator: Pick<TokenRegistry, 'authenticate'>;
  /** Injected latency and failures per request (the faults part's injector). */
  readonly faults: Pick<FaultInjector, 'latencyFor' | 'take'>;
  readonly log: RequestLog;
  /** Where each started watch is registered until it ends. */
  readonly watches: Pick<OpenWatches, 'add' | 'remove'>;
}

export interface ApiHandlerOptions {
  readonly bookmarkIntervalMs: number;
  readonly watchTimeoutSeconds: number;
  /** How long a request for a future resourceVersion waits before "Too large resource version". */
  readonly tooLargeResourceVersionWaitMs: number;
  /** host:port for /api's serverAddressByClientCIDRs. */
  readonly serverAddress: () => string;
  /** Sends a TCP RST on a connection (the raw socket under TLS). */
  readonly resetSocket: (socket: Socket) => void;
}

const maxBody = 3 * 1024 * 1024;

const patchTypes: Record<string, PatchType> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
};

type Negotiated =
  | { readonly kind: 'json' }
  | { readonly kind: 'table'; readonly apiVersion: string }
  | { readonly kind: 'metadata'; readonly apiVersion: string };

/** Picks the first Accept entry the server can produce, like the apiserver's negotiation. */
function negotiate(accept: string | undefined): Negotiated {
  for (const raw of (accept ?? '').split(',')) {
    const [type, ...params] = raw.split(';').map((s) => s.trim());
    const p = Object.fromEntries(
      params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]),
    );
    if (type !== 'application/json' && type !== '*/*' && type !== 'application/*') continue;
    if (!p.as) return { kind: 'json' };
    if (p.g === 'meta.k8s.io' && (p.v === 'v1' || p.v === 'v1beta1')) {
      if (p.as === 'Table') return { kind: 'table', apiVersion: `meta.k8s.io/${p.v}` };
      if (p.as === 'PartialObjectMetadata' || p.as === 'PartialObjectMetadataList') {
        return { kind: 'metadata', apiVersion: `meta.k8s.io/${p.v}` };
      }
    }
  }
  return { kind: 'json' };
}

function readBody(req: ApiRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= maxBody) chunks.push(c);
    });
    req.on('end', () =>
      size > maxBody
        ? reject(apiErrors.entityTooLarge('limit is 3145728'))
        : resolve(Buffer.concat(chunks)),
    );
    req.on('error', reject);
  });
}

function sendJson(
  res: ApiResponse,
  code: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = `${JSON.stringify(body)}\n`;
  writeHead(res, code, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Audit-Id': crypto.randomUUID(),
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export class ApiHandler {
  private readonly registry: ObjectRegistry;
  private readonly store: ObjectStore;
  private readonly authenticator: ApiHandlerDeps['authenticator'];
  private readonly faults: ApiHandlerDeps['faults'];
  private readonly log: RequestLog;
  private readonly watches: ApiHandlerDeps['watches'];

  constructor(
    deps: ApiHandlerDeps,
    private readonly options: ApiHandlerOptions,
  ) {
    this.registry = deps.registry;
    this.store = deps.store;
    this.authenticator = deps.authenticator;
    this.faults = deps.faults;
    this.log = deps.log;
    this.watches = deps.watches;
  }

  async handle(req: ApiRequest, res: ApiResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const info = parseRequestInfo(req.method ?? 'GET', url);
    const finish = this.log.start(info, req.headers['content-type'], {
      protocol: protocolOf(req),
      clientPort: req.socket.remotePort ?? 0,
    });
    let user: string | undefined;
    res.on('close', () => finish(res.headersSent ? res.statusCode : 0, user));
    try {
      const body =
        req.method === 'GET' || req.method === 'HEAD' ? Buffer.alloc(0) : await readBody(req);
      const delay = info.isResourceRequest ? this.faults.latencyFor(info) : 0;
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const identity = this.authenticator.authenticate(req.headers.authorization);
      if (!identity) throw apiErrors.unauthorized();
      user = identity.user;
      if (info.isResourceRequest) {
        const failure = this.faults.take(info);
        if (failure?.kind === 'reset') {
          this.options.resetSocket(req.socket as Socket);
          return;
        }
        if (failure?.kind === 'rst-stream') {
          resetStream(req, res, this.options);
          return;
        }
        if (failure?.kind === 'goaway') goAwayAfter(res);
        else if (failure) {
          if (failure.text) {
            writeHead(res, failure.error.httpStatus, {
              'Content-Type': 'text/plain; charset=utf-8',
              'X-Content-Type-Options': 'nosniff',
              ...failure.error.headers,
            });
            res.end(`${failure.error.status.message}\n`);
          } else
            sendJson(res, failure.error.httpStatus, failure.error.status, {
              ...failure.error.headers,
            });
          return;
        }
      }
      if (!isAllowed(identity, info)) {
        const why = forbiddenReason(identity.user, info);
        throw info.isResourceRequest
          ? apiErrors.forbidden(
              { group: info.apiGroup, resource: info.resource ?? '' },
              info.name ?? '',
              why,
            )
          : apiErrors.forbiddenPath(why);
      }
      if (!info.isResourceRequest) this.serveNonResource(info, res);
      else await this.serveResource(info, req, res, body);
    } catch (err) {
      if (!res.headersSent) {
        const e =
          err instanceof KubeStatusError
            ? err
            : apiErrors.internal(err instanceof Error ? err.message : String(err));
        sendJson(res, e.httpStatus, e.status, { ...e.headers });
      }
    }
    // Answered (a watch has started streaming): log it now so waiters see it.
    if (res.headersSent) finish(res.statusCode, user);
  }

  private serveNonResource(info: RequestInfo, res: ApiResponse): void {
    const p = info.path.replace(/\/+$/, '') || '/';
    const parts = p.split('/').filter(Boolean);
    let doc: JsonObject | undefined;
    if (p === '/api') doc = apiVersions(this.options.serverAddress());
    else if (p === '/apis') doc = apiGroupList();
    else if (p === '/version') doc = versionInfo();
    else if (p === '/healthz' || p === '/livez' || p === '/readyz') {
      writeHead(res, 200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    } else if (parts[0] === 'api' && parts.length === 2) doc = resourceList(parts[1] as string);
    else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroup(parts[1] as string);
    else if (parts[0] === 'apis' && parts.length === 3)
      doc = resourceList(`${parts[1]}/${parts[2]}`);
    if (!doc) throw apiErrors.notFoundPath();
    sendJson(res, 200, doc);
  }

  private async serveResource(
    info: RequestInfo,
    req: ApiRequest,
    res: ApiResponse,
    body: Buffer,
  ): Promise<void> {
    const def = findResource(info.apiGroup, info.apiVersion, info.resource ?? '');
    if (!def) throw apiErrors.notFoundPath();
    if (info.subresource && !def.subresources.includes(info.subresource))
      throw apiErrors.notFoundPath();
    // A cluster-scoped resource under a namespace path (and a namespaced one outside a namespace,
    // but for list/watch across all namespaces) is a path the server does not route.
    if (!def.namespaced && info.namespace !== undefined) throw apiErrors.notFoundPath();
    if (def.namespaced && info.verb !== 'list' && info.verb !== 'watch' && !info.namespace)
      throw apiErrors.notFoundPath();
    if (!def.verbs.includes(info.verb as Verb)) {
      throw apiErrors.methodNotSupported(groupResource(def), info.verb);
    }
    const q = info.query;
    const dryRun = q.getAll('dryRun').includes('All');
    const ns = info.namespace ?? '';
    const name = info.name as string;
    const neg = negotiate(req.headers.accept);
    if (info.verb === 'watch') {
      this.watch(def, info, res, neg);
      return;
    }
    if (info.verb === 'list') {
      const at = listVersion(q);
      if (at.kind === 'notOlderThan' && at.rv > this.store.resourceVersion) {
        await this.waitForVersion(at.rv);
      }
      sendJson(res, 200, this.list(def, info, neg, at));
      return;
    }
    const [code, out] = this.dispatch(def, info, req, body, neg, { ns, name, dryRun });
    sendJson(res, code, out);
  }

  /** The cacher's 3 s block for a resourceVersion it has not seen yet, then 504. */
  private waitForVersion(rv: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const off = this.store.subscribe(() => {
        if (this.store.resourceVersion < rv) return;
        off();
        clearTimeout(timer);
        resolve();
      });
      const timer = setTimeout(() => {
        off();
        reject(apiErrors.tooLargeResourceVersion(rv, this.store.resourceVersion));
      }, this.options.tooLargeResourceVersionWaitMs);
    });
  }

  private dispatch(
    def: ResourceDef,
    info: RequestInfo,
    req: ApiRequest,
    body: Buffer,
    neg: Negotiated,
    at: { readonly ns: string; readonly name: string; readonly dryRun: boolean },
  ): [number, unknown] {
    const { ns, name, dryRun } = at;
    const q = info.query;
    switch (info.verb) {
      case 'get': {
        const obj = this.registry.get(def, ns, name);
        if (neg.kind === 'table') {
          const stored = this.store.get(def.storage, ns, name);
          const meta = { resourceVersion: obj.metadata.resourceVersion };
          const table = toTable(def, stored ? [stored] : [], tableOptions(q), meta);
          return [200, { ...table, apiVersion: neg.apiVersion }];
        }
        if (neg.kind === 'metadata') {
          return [
            200,
            { kind: 'PartialObjectMetadata', apiVersion: neg.apiVersion, metadata: obj.metadata },
          ];
        }
        return [200, obj];
      }
      case 'create':
        if (info.subresource === 'binding')
          return [201, bindPod(this.registry, def, ns, name, parseJson(body, 'create'))];
        return [201, this.registry.create(def, ns, parseJson(body, 'create'), { dryRun })];
      case 'update': {
        const obj = parseJson(body, 'update');
        return [200, this.registry.update(def, ns, name, obj, info.subresource, { dryRun })];
      }
      case 'patch': {
        const ct = (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
        const type = patchTypes[ct];
        if (!type) throw apiErrors.unsupportedMediaType(ct, Object.keys(patchTypes));
        const patch = parseJson(body, 'patch');
        return [200, this.registry.patch(def, ns, name, type, patch, info.subresource, { dryRun })];
      }
      case 'delete': {
        // DeleteOptions come from the body, or from the query when there is none (handlers/delete.go).
        const opts = body.length > 0 ? parseJson(body, 'delete') : {};
        const pre = isObject(opts) && isObject(opts.preconditions) ? opts.preconditions : undefined;
        const dry =
          dryRun || (isObject(opts) && Array.isArray(opts.dryRun) && opts.dryRun.includes('All'));
        const grace =
          body.length > 0
            ? isObject(opts)
              ? opts.gracePeriodSeconds
              : undefined
            : (q.get('gracePeriodSeconds') ?? undefined);
        return [
          200,
          this.registry.delete(def, ns, name, pre as DeletePreconditions, {
            dryRun: dry,
            ...gracePeriodOption(grace),
          }),
        ];
      }
      default:
        throw apiErrors.methodNotSupported(groupResource(def), info.verb);
    }
  }

  private selectors(def: ResourceDef, q: URLSearchParams): ListSelectors {
    try {
      const labels = parseLabelSelector(q.get('labelSelector') ?? '');
      const fields = parseFieldSelector(q.get('fieldSelector') ?? '');
      this.registry.checkFieldSelectors(def, fields);
      return { labels, fields };
    } catch (err) {
      if (err instanceof SelectorParseError) throw apiErrors.badRequest(err.message);
      throw err;
    }
  }

  private list(def: ResourceDef, info: RequestInfo, neg: Negotiated, at: ListVersion): unknown {
    const q = info.query;
    const selectors = this.selectors(def, q);
    let all: KubeObject[];
    let resourceVersion = String(this.store.resourceVersion);
    if (at.kind === 'exact' && at.rv !== this.store.resourceVersion) {
      const then = this.store.listAt(def.storage, at.rv, info.namespace);
      // etcd's answer for a compacted revision, as the apiserver passes it on.
      if (!then) throw apiErrors.expired('The resourceVersion for the provided list is too old.');
      all = then.filter((o) => this.registry.matches(def, o, selectors));
      resourceVersion = String(at.rv);
    } else all = this.registry.select(def, info.namespace, selectors);
    let items = all;
    const metadata: JsonObject = { resourceVersion };
    const cont = q.get('continue');
    if (cont) {
      let after: string;
      try {
        after = String(JSON.parse(Buffer.from(cont, 'base64url').toString()).key);
      } catch {
        throw apiErrors.badRequest('continue key is not valid: illegal base64 data');
      }
      items = items.filter((o) => `${o.metadata.namespace}/${o.metadata.name}` > after);
    }
    const limit = Number(q.get('limit') ?? '0');
    if (limit > 0 && items.length > limit) {
      const last = items[limit - 1];
      metadata.continue = Buffer.from(
        JSON.stringify({
          v: 'meta.k8s.io/v1',
          rv: Number(resourceVersion),
          key: `${last?.metadata.namespace}/${last?.metadata.name}`,
        }),
      ).toString('base64url');
      metadata.remainingItemCount = items.length - limit;
      items = items.slice(0, limit);
    }
    if (neg.kind === 'table') {
      return {
        ...toTable(def, items, tableOptions(q), metadata),
        apiVersion: neg.apiVersion,
      };
    }
    if (neg.kind === 'metadata') {
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion: neg.apiVersion,
        metadata,
        items: items.map((o) => ({
          kind: 'PartialObjectMetadata',
          apiVersion: neg.apiVersion,
          metadata: o.metadata,
        })),
      };
    }
    return {
      kind: def.listKind,
      apiVersion: apiVersionOf(def),
      metadata,
      // Items in a list carry no apiVersion/kind, exactly as the real server encodes them.
      items: items.map((o) => {
        const { apiVersion: _a, kind: _k, ...rest } = toExternal(def, o);
        return rest;
      }),
    };
  }

  private watch(def: ResourceDef, info: RequestInfo, res: ApiResponse, neg: Negotiated): void {
    const q = info.query;
    const selectors = this.selectors(def, q);
    const rvParam = q.get('resourceVersion') ?? '';
    if (rvParam !== '' && !/^\d+$/.test(rvParam)) {
      throw apiErrors.badRequest(
        `resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`,
      );
    }
    const truthy = (k: string) => q.get(k) === 'true' || q.get(k) === '1';
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '0');
    const stream = new WatchStream(
      res,
      {
        def,
        namespace: info.namespace,
        selectors,
        resourceVersion: rvParam === '' || rvParam === '0' ? undefined : Number(rvParam),
        allowBookmarks: truthy('allowWatchBookmarks'),
        sendInitialEvents: truthy('sendInitialEvents'),
        timeoutMs: (timeoutSeconds > 0 ? timeoutSeconds : this.options.watchTimeoutSeconds) * 1000,
        bookmarkIntervalMs: this.options.bookmarkIntervalMs,
        tooLargeWaitMs: this.options.tooLargeResourceVersionWaitMs,
        table:
          neg.kind === 'table' ? { ...tableOptions(q), apiVersion: neg.apiVersion } : undefined,
        resetSocket: this.options.resetSocket,
      },
      this.registry,
      this.store,
      (w) => this.watches.remove(w),
    );
    this.watches.add(stream);
    stream.start();
  }
}

type ListVersion =
  | { readonly kind: 'latest' }
  | { readonly kind: 'any' }
  | { readonly kind: 'notOlderThan'; readonly rv: number }
  | { readonly kind: 'exact'; readonly rv: number };

/**
 * resourceVersion / resourceVersionMatch of a list, validated as ValidateListOptions does (422
 * Invalid ListOptions.meta.k8s.io with its field messages).
 */
function listVersion(q: URLSearchParams): ListVersion {
  const rv = q.get('resourceVersion') ?? '';
  const match = q.get('resourceVersionMatch') ?? '';
  const invalid = (e: Parameters<typeof apiErrors.invalid>[3][number]) =>
    apiErrors.invalid('ListOptions', 'meta.k8s.io', '', [e]);
  if (match !== '' && match !== 'NotOlderThan' && match !== 'Exact') {
    throw invalid({
      type: 'FieldValueNotSupported',
      field: 'resourceVersionMatch',
      value: match,
      detail: 'supported values: "Exact", "NotOlderThan"',
    });
  }
  if (match !== '' && rv === '') {
    throw invalid(
      fieldError.forbidden(
        'resourceVersionMatch',
        'resourceVersionMatch is forbidden unless resourceVersion is provided',
      ),
    );
  }
  if (match !== '' && q.get('continue')) {
    throw invalid(
      fieldError.forbidden(
        'resourceVersionMatch',
        'resourceVersionMatch is forbidden when continue is provided',
      ),
    );
  }
  if (match === 'Exact' && rv === '0') {
    throw invalid(
      fieldError.forbidden(
        'resourceVersionMatch',
        'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      ),
    );
  }
  if (rv === '') return { kind: 'latest' };
  if (!/^\d+$/.test(rv)) {
    throw apiErrors.badRequest(
      `resourceVersion: Invalid value: "${rv}": must be a non-negative integer`,
    );
  }
  if (rv === '0') return { kind: 'any' };
  return match === 'Exact'
    ? { kind: 'exact', rv: Number(rv) }
    : { kind: 'notOlderThan', rv: Number(rv) };
}

function tableOptions(q: URLSearchParams): TableOptions {
  const inc = q.get('includeObject');
  const includeObject: IncludeObject = inc === 'None' || inc === 'Object' ? inc : 'Metadata';
  return { includeObject, noHeaders: q.get('noHeaders') === 'true' };
}

/** DeleteOptions.gracePeriodSeconds (an int64 in the body, a string in the query). */
function gracePeriodOption(raw: unknown): { gracePeriodSeconds?: number } {
  if (raw === undefined || raw === null) return {};
  const n = typeof raw === 'string' && /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw apiErrors.badRequest(
      `json: cannot unmarshal ${typeof raw} into Go struct field DeleteOptions.gracePeriodSeconds of type int64`,
    );
  }
  return { gracePeriodSeconds: n };
}

function parseJson(body: Buffer, what: string): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw apiErrors.badRequest(
      what === 'patch'
        ? `error decoding patch: ${msg}`
        : `couldn't get version/kind; json parse error: ${msg}`,
    );
  }
}

export type { CutMode };
