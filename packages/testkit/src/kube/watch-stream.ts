import { apiErrors } from './api-status.js';
import {
  type AbortHooks,
  type ApiResponse,
  closeConnection,
  flushStreamingHead,
  resetConnection,
  resetStream,
  streamingHeaders,
  writeChunk,
  writeHead,
} from './http-exchange.js';
import type { ListSelectors, ObjectRegistry } from './object-registry.js';
import type { ObjectStore } from './object-store.js';
import { apiVersionOf, type ResourceDef, toExternal } from './resources.js';
import { type TableOptions, toTable } from './tables.js';
import type { KubeObject, StoreEvent } from './types.js';

export interface WatchParams {
  readonly def: ResourceDef;
  /** `undefined`: all namespaces. */
  readonly namespace: string | undefined;
  readonly selectors: ListSelectors;
  /** Start after this resourceVersion; `undefined` = send the current state as ADDED first. */
  readonly resourceVersion: number | undefined;
  readonly allowBookmarks: boolean;
  /** Send the current state, then a BOOKMARK annotated `k8s.io/initial-events-end`. */
  readonly sendInitialEvents: boolean;
  readonly timeoutMs: number;
  readonly bookmarkIntervalMs: number;
  /** How long a watch-list from a future resourceVersion waits before "Too large resource version". */
  readonly tooLargeWaitMs: number;
  /** Table rendering (kubectl get -w). */
  readonly table: (TableOptions & { readonly apiVersion: string }) | undefined;
  /** Sends a TCP RST on the connection under the response (TLS or not). */
  readonly resetSocket: AbortHooks['resetSocket'];
}

/**
 * How `cutWatches` ends a stream: `reset` resets the TCP connection (on HTTP/2 with every other
 * stream on it), `rst-stream` resets only the watch's HTTP/2 stream (the connection on HTTP/1.1),
 * `close` closes the connection without ending the body, `graceful` ends the response like a
 * server-side timeout.
 */
export type CutMode = 'reset' | 'rst-stream' | 'close' | 'graceful';

/**
 * One watch response: newline-delimited JSON events in resourceVersion order. Selector semantics
 * follow the watch cache: an object that stops matching is sent as DELETED, one that starts
 * matching as ADDED.
 */
export class WatchStream {
  private lastRv = 0;
  private unsubscribe: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  constructor(
    private readonly res: ApiResponse,
    private readonly params: WatchParams,
    private readonly registry: ObjectRegistry,
    private readonly store: ObjectStore,
    private readonly onClose: (w: WatchStream) => void,
  ) {}

  start(): void {
    const { res, params } = this;
    writeHead(
      res,
      200,
      streamingHeaders(res, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-cache, private',
      }),
    );
    flushStreamingHead(res);
    res.on('close', () => this.cleanup());
    const asked = params.resourceVersion;
    // The cacher blocks for a future version only for watch-list (sendInitialEvents); a plain
    // watch starts at once and sends the events after that version (cacher.go
    // waitUntilWatchCacheFreshAndForceAllEvents).
    if (asked !== undefined && params.sendInitialEvents && asked > this.store.resourceVersion) {
      this.waitForVersion(asked);
      return;
    }
    this.begin();
  }

  /**
   * A watch-list for a resourceVersion the cache has not reached: wait for it a little (the
   * cacher's 3 s block), then fail with "Too large resource version". After the watch was
   * accepted, errors go out as an ERROR event, as the cacher's errWatcher does.
   */
  private waitForVersion(asked: number): void {
    const off = this.store.subscribe(() => {
      if (this.store.resourceVersion < asked) return;
      off();
      clearTimeout(timer);
      if (!this.closed) this.begin();
    });
    const timer = setTimeout(() => {
      off();
      const err = apiErrors.tooLargeResourceVersion(asked, this.store.resourceVersion);
      this.write({ type: 'ERROR', object: err.status });
      this.res.end();
    }, this.params.tooLargeWaitMs);
    this.timers.push(timer);
    this.unsubscribe = off;
  }

  private begin(): void {
    const { res, params } = this;
    const current = this.store.resourceVersion;
    if (params.resourceVersion === undefined || params.sendInitialEvents) {
      for (const o of this.registry.select(params.def, params.namespace, params.selectors))
        this.send('ADDED', o);
      this.lastRv = current;
      if (params.sendInitialEvents && params.allowBookmarks) {
        this.sendBookmark({ 'k8s.io/initial-events-end': 'true' });
      }
    } else {
      const events = this.store.since(params.resourceVersion, params.def.storage);
      if (!events) {
        const err = apiErrors.expired(
          `too old resource version: ${params.resourceVersion} (${this.store.oldestWatchable(params.def.storage)})`,
        );
        this.write({ type: 'ERROR', object: err.status });
        res.end();
        return;
      }
      this.lastRv = params.resourceVersion;
      for (const e of events) this.onEvent(e);
      this.lastRv = Math.max(this.lastRv, current);
    }
    this.unsubscribe = this.store.subscribe((e) => this.onEvent(e));
    this.timers.push(
      setTimeout(() => {
        if (params.allowBookmarks) this.sendBookmark();
        res.end();
      }, params.timeoutMs),
    );
    if (params.allowBookmarks && params.bookmarkIntervalMs > 0) {
      this.timers.push(setInterval(() => this.sendBookmark(), params.bookmarkIntervalMs));
    }
  }

  private onEvent(e: StoreEvent): void {
    const { def, namespace, selectors } = this.params;
    if (e.resourceVersion <= this.lastRv) return;
    this.lastRv = e.resourceVersion;
    if (e.resource !== def.storage) return;
    if (namespace !== undefined && e.object.metadata.namespace !== namespace) return;
    const now = this.registry.matches(def, e.object, selectors);
    const before = e.previous !== undefined && this.registry.matches(def, e.previous, selectors);
    if (e.type === 'ADDED') {
      if (now) this.send('ADDED', e.object);
    } else if (e.type === 'DELETED') {
      if (now) this.send('DELETED', e.object);
    } else if (now && before) this.send('MODIFIED', e.object);
    else if (now) this.send('ADDED', e.object);
    else if (before && e.previous) {
      // Leaving the selector: the cacher sends the previous object with the event's version.
      const prev = e.previous;
      this.send('DELETED', {
        ...prev,
        metadata: { ...prev.metadata, resourceVersion: String(e.resourceVersion) },
      });
    }
  }

  private send(type: string, stored: KubeObject): void {
    const { def, table } = this.params;
    const object = table
      ? {
          ...toTable(def, [stored], table, { resourceVersion: stored.metadata.resourceVersion }),
          apiVersion: table.apiVersion,
        }
      : toExternal(def, stored);
    this.write({ type, object });
  }

  /** A BOOKMARK at the current resourceVersion: every earlier event has been sent. */
  sendBookmark(annotations?: Record<string, string>): void {
    if (this.closed || !this.params.allowBookmarks) return;
    const metadata: Record<string, unknown> = {
      resourceVersion: String(this.store.resourceVersion),
    };
    if (annotations) metadata.annotations = annotations;
    this.write({
      type: 'BOOKMARK',
      object: { kind: this.params.def.kind, apiVersion: apiVersionOf(this.params.def), metadata },
    });
  }

  private write(event: unknown): void {
    if (this.closed || this.res.writableEnded) return;
    writeChunk(this.res, `${JSON.stringify(event)}\n`);
  }

  cut(mode: CutMode): void {
    if (this.closed) return;
    if (mode === 'graceful') this.res.end();
    else if (mode === 'reset') resetConnection(this.res, this.params);
    else if (mode === 'rst-stream') {
      const req = this.res.req;
      resetStream(req, this.res, this.params);
    } else closeConnection(this.res);
    this.cleanup();
  }

  private cleanup(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    this.onClose(this);
  }
}
