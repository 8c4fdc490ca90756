import type { HttpProtocol } from './http-exchange.js';
import type { RequestInfo } from './request-info.js';

/** One API request as the emulator saw it. */
export interface RequestRecord {
  /** Arrival order, from 1. */
  readonly seq: number;
  /** Arrival time, epoch ms. */
  readonly time: number;
  readonly method: string;
  readonly path: string;
  /** The raw query string without `?`. */
  readonly query: string;
  /** Kubernetes verb (get, list, watch, create, update, patch, delete) or lower-case method for non-resource paths. */
  readonly verb: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly contentType?: string;
  /** Authenticated user, when the token was valid. */
  readonly user?: string;
  /** ALPN protocol the request came over: `h2` or `http/1.1`. */
  readonly protocol: HttpProtocol;
  /** Client's TCP port: requests sharing it came over one connection. */
  readonly clientPort: number;
  /** HTTP status answered; 0 while pending or when the connection was reset without an answer. */
  readonly status: number;
}

/** Which requests a fault or a count applies to; every given field must match. */
export interface RequestMatch {
  /** HTTP method, upper case. */
  readonly method?: string;
  /** URL path without the query, e.g. `/api/v1/namespaces/default/pods/amq-0`. */
  readonly path?: string;
  readonly verb?: string;
  /** Plural resource (`pods` also matches `pods/status`) or `resource/subresource`. */
  readonly resource?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface RequestFilter extends RequestMatch {
  readonly protocol?: HttpProtocol;
  readonly status?: number;
  /** Only requests with `seq` greater than this (take it from a previous record or `requestSeq`). */
  readonly afterSeq?: number;
}

type Described = Pick<
  RequestRecord,
  'method' | 'path' | 'verb' | 'resource' | 'subresource' | 'name' | 'namespace'
>;

export function matchesRequest(r: Described, m: RequestMatch): boolean {
  if (m.method !== undefined && m.method.toUpperCase() !== r.method) return false;
  if (m.path !== undefined && m.path !== r.path) return false;
  if (m.verb !== undefined && m.verb !== r.verb) return false;
  if (m.resource !== undefined) {
    const full = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
    if (m.resource !== r.resource && m.resource !== full) return false;
  }
  if (m.name !== undefined && m.name !== r.name) return false;
  if (m.namespace !== undefined && m.namespace !== r.namespace) return false;
  return true;
}

export class RequestLog {
  private readonly records: { -readonly [K in keyof RequestRecord]: RequestRecord[K] }[] = [];
  private seq = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly limit: number) {}

  get lastSeq(): number {
    return this.seq;
  }

  /** Records an arrival; call the returned function with the status once answered. */
  start(
    info: RequestInfo,
    contentType: string | undefined,
    transport: { readonly protocol: HttpProtocol; readonly clientPort: number },
  ): (status: number, user?: string) => void {
    const rec: { -readonly [K in keyof RequestRecord]: RequestRecord[K] } = {
      seq: ++this.seq,
      time: Date.now(),
      method: info.method,
      path: info.path,
      query: info.query.toString(),
      verb: info.verb,
      protocol: transport.protocol,
      clientPort: transport.clientPort,
      status: 0,
    };
    if (info.resource) rec.resource = info.resource;
    if (info.subresource) rec.subresource = info.subresource;
    if (info.namespace) rec.namespace = info.namespace;
    if (info.name) rec.name = info.name;
    if (contentType) rec.contentType = contentType;
    this.records.push(rec);
    if (this.records.length > this.limit) this.records.shift();
    let done = false;
    return (status, user) => {
      if (done) return;
      done = true;
      rec.status = status;
      if (user) rec.user = user;
      for (const l of [...this.listeners]) l();
    };
  }

  list(filter: RequestFilter = {}): RequestRecord[] {
    return this.records
      .filter(
        (r) =>
          matchesRequest(r, filter) &&
          (filter.status === undefined || filter.status === r.status) &&
          (filter.protocol === undefined || filter.protocol === r.protocol) &&
          (filter.afterSeq === undefined || r.seq > filter.afterSeq),
      )
      .map((r) => ({ ...r }));
  }

  clear(): void {
    this.records.length = 0;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
