import { createClient, type HaClient, kubernetes } from '@activemq-ha/client';
import type { KubeConfig } from '@kubernetes/client-node';

export interface TrafficStats {
  sent: number;
  confirmed: number;
  /** Deliveries the handler saw, duplicates filtered by the client included. */
  received: number;
  duplicates: number;
  /** Timestamps (ms) of every confirmation and every delivery, for outage measurements. */
  readonly confirmations: number[];
  readonly deliveries: number[];
  lastFailover: { from: string; to: string; outageMs: number } | undefined;
}

/**
 * A producer and a consumer on one queue, each its own HaClient in Kubernetes discovery mode:
 * they find the active broker through the Service's EndpointSlices like an in-cluster app.
 */
export class Traffic {
  readonly stats: TrafficStats = {
    sent: 0,
    confirmed: 0,
    received: 0,
    duplicates: 0,
    confirmations: [],
    deliveries: [],
    lastFailover: undefined,
  };
  readonly #confirmedIds = new Set<string>();
  readonly #receivedIds = new Set<string>();
  #producer: HaClient;
  #consumer: HaClient;
  #running = false;
  #loop: Promise<void> | undefined;

  constructor(
    kubeConfig: KubeConfig,
    namespace: string,
    service: string,
    readonly queue = '/queue/demo',
    /** The Service port (and so the protocol) the clients use. */
    port: 'stomp' | 'openwire' = 'stomp',
  ) {
    const discovery = () => kubernetes({ namespace, service, port, kubeConfig });
    this.#producer = createClient({ discovery: discovery(), outboxSize: 1000 });
    this.#consumer = createClient({ discovery: discovery() });
    for (const client of [this.#producer, this.#consumer]) {
      client.on('failover', (f) => {
        this.stats.lastFailover = {
          from: `${f.from.host}:${f.from.port}`,
          to: `${f.to.host}:${f.to.port}`,
          outageMs: f.outageMs,
        };
      });
    }
  }

  /**
   * @param inFlight sends awaiting their receipt at most
   * @param consumerConcurrency messages the consumer handles at once (each ack is a round trip
   *   to the broker, so at 1 the consumer falls behind a producer of a few hundred msg/s)
   */
  async start(ratePerSecond: number, inFlight = 20, consumerConcurrency = 1): Promise<void> {
    await Promise.all([this.#producer.connect(), this.#consumer.connect()]);
    await this.#consumer.subscribe(
      this.queue,
      async (message) => {
        this.stats.deliveries.push(Date.now());
        if (this.#receivedIds.has(message.id)) this.stats.duplicates++;
        else {
          this.#receivedIds.add(message.id);
          this.stats.received++;
        }
        await message.ack();
      },
      {
        ack: 'client-individual',
        dedupe: { window: 100_000 },
        prefetch: 100,
        concurrency: consumerConcurrency,
      },
    );
    this.#running = true;
    const gapMs = 1000 / ratePerSecond;
    this.#loop = (async () => {
      const pending = new Set<Promise<void>>();
      let n = 0;
      while (this.#running) {
        const body = JSON.stringify({ n: n++, at: Date.now() });
        this.stats.sent++;
        const p = this.#producer.send(this.queue, body).then(
          ({ messageId }) => {
            this.stats.confirmed++;
            this.stats.confirmations.push(Date.now());
            this.#confirmedIds.add(messageId);
          },
          () => undefined,
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
        if (pending.size >= inFlight) await Promise.race(pending);
        await new Promise((r) => setTimeout(r, gapMs));
      }
      await Promise.allSettled(pending);
    })();
  }

  /** Confirmed messages the consumer has not seen (yet). */
  missing(): number {
    let missing = 0;
    for (const id of this.#confirmedIds) if (!this.#receivedIds.has(id)) missing++;
    return missing;
  }

  /** Stops producing, waits (bounded) for the consumer to catch up, closes both clients. */
  async stop(drainMs = 15_000): Promise<void> {
    this.#running = false;
    await this.#loop;
    const deadline = Date.now() + drainMs;
    while (this.missing() > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    await Promise.allSettled([
      this.#producer.close({ timeoutMs: 5000 }),
      this.#consumer.close({ timeoutMs: 5000 }),
    ]);
  }
}

/** Largest gap between consecutive timestamps that falls inside [from, to]. */
export function largestGap(times: readonly number[], from: number, to: number): number {
  let previous = from;
  let gap = 0;
  for (const t of times) {
    if (t < from) continue;
    if (t > to) break;
    gap = Math.max(gap, t - previous);
    previous = t;
  }
  return gap;
}
