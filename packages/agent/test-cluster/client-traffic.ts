import { randomUUID } from 'node:crypto';
import { createClient, type HaClient, kubernetes } from '@activemq-ha/client';
import type { KubeConfig } from '@kubernetes/client-node';

export interface ClientTrafficOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly service: string;
  readonly login: string | undefined;
  readonly passcode: string | undefined;
  /** Longest wait for the first connection and the first round trip. */
  readonly startTimeoutMs: number;
}

export interface TrafficReport {
  readonly confirmed: number;
  readonly received: number;
  /** Confirmed (RECEIPT) ids never delivered: the number that must be 0. */
  readonly missing: readonly string[];
  /** Redeliveries (at-least-once), reported, not failed on. */
  readonly duplicates: number;
  readonly failedSends: number;
  readonly failovers: readonly { readonly outageMs: number; readonly resent: number }[];
  readonly errors: readonly string[];
}

/** Concurrent sends in flight: enough to have some unconfirmed when the broker goes. */
const WINDOW = 4;

/**
 * One `@activemq-ha/client` with kubernetes discovery that produces persistent messages to a
 * fresh queue and consumes them (client-individual acks, so an unacknowledged message is
 * redelivered rather than lost). Started before the leader pod is deleted, checked after.
 */
export class ClientTraffic {
  readonly destination = `/queue/activemq-ha.cluster-test.${randomUUID()}`;
  readonly #confirmed = new Set<string>();
  readonly #received = new Map<string, number>();
  readonly #failovers: { outageMs: number; resent: number }[] = [];
  readonly #errors: string[] = [];
  readonly #onProgress = new Set<() => void>();
  #producing = false;
  #loops: Promise<void>[] = [];
  #seq = 0;
  #failedSends = 0;

  private constructor(readonly client: HaClient) {
    client.on('failover', (f) => this.#failovers.push({ outageMs: f.outageMs, resent: f.resent }));
    client.on('error', (e) => this.#errors.push(`${e.code}: ${e.message}`));
  }

  static async start(o: ClientTrafficOptions): Promise<ClientTraffic> {
    const client = createClient({
      discovery: kubernetes({
        namespace: o.namespace,
        service: o.service,
        port: 'stomp',
        kubeConfig: o.kubeConfig,
      }),
      ...(o.login !== undefined ? { login: o.login } : {}),
      ...(o.passcode !== undefined ? { passcode: o.passcode } : {}),
    });
    const traffic = new ClientTraffic(client);
    try {
      await withTimeout(
        client.connect(),
        o.startTimeoutMs,
        `connecting through kubernetes(${o.namespace}/${o.service}:stomp) — ACTIVEMQ_HA_CLUSTER_CLIENT=1 needs the runner inside the cluster network (pod IPs reachable) and the broker credentials`,
      );
      await client.subscribe(
        traffic.destination,
        (m) => {
          traffic.#received.set(m.id, (traffic.#received.get(m.id) ?? 0) + 1);
          for (const listener of [...traffic.#onProgress]) listener();
          return m.ack();
        },
        { ack: 'client-individual' },
      );
      traffic.#produce();
      await traffic.#until(
        () => traffic.#received.size > 0,
        o.startTimeoutMs,
        'a first message round trip',
      );
    } catch (error) {
      await traffic.close();
      throw error;
    }
    return traffic;
  }

  /** Resolves once `count` more sends are confirmed: traffic flows (through the new leader). */
  confirmedMore(count: number, timeoutMs: number): Promise<void> {
    const target = this.#confirmed.size + count;
    return this.#until(
      () => this.#confirmed.size >= target,
      timeoutMs,
      `${count} more confirmed sends`,
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${this.summary()}`, { cause: error });
    });
  }

  /** Stops sending; sends in flight finish (they wait through a failover) or fail on close. */
  async stopProducing(timeoutMs: number): Promise<void> {
    this.#producing = false;
    const loops = Promise.all(this.#loops);
    try {
      await withTimeout(loops, timeoutMs, 'the last sends to be confirmed');
    } catch (error) {
      // Close rejects what is still unconfirmed, which ends the loops; unconfirmed is not lost.
      await this.client.close({ timeoutMs: 1000 });
      await loops;
      throw error;
    }
  }

  /** Resolves once every confirmed message was delivered. */
  waitForDelivery(timeoutMs: number): Promise<void> {
    return this.#until(
      () => [...this.#confirmed].every((id) => this.#received.has(id)),
      timeoutMs,
      'every confirmed message to be delivered',
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${this.summary()}`, { cause: error });
    });
  }

  report(): TrafficReport {
    let duplicates = 0;
    for (const n of this.#received.values()) duplicates += n - 1;
    return {
      confirmed: this.#confirmed.size,
      received: this.#received.size,
      missing: [...this.#confirmed].filter((id) => !this.#received.has(id)),
      duplicates,
      failedSends: this.#failedSends,
      failovers: [...this.#failovers],
      errors: this.#errors.slice(-10),
    };
  }

  /** The report as one line, with the missing ids cut to the first few. */
  summary(): string {
    const r = this.report();
    return JSON.stringify({ ...r, missing: r.missing.length, firstMissing: r.missing.slice(0, 5) });
  }

  async close(): Promise<void> {
    this.#producing = false;
    await this.client.close({ timeoutMs: 5000 });
    await Promise.all(this.#loops);
  }

  #produce(): void {
    this.#producing = true;
    this.#loops = Array.from({ length: WINDOW }, async () => {
      while (this.#producing) {
        const seq = this.#seq++;
        try {
          const { messageId } = await this.client.send(this.destination, `message ${seq}`);
          this.#confirmed.add(messageId);
          for (const listener of [...this.#onProgress]) listener();
        } catch {
          // A rejected send was never confirmed, so it may be missing; it must not spin either.
          this.#failedSends++;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    });
  }

  #until(check: () => boolean, timeoutMs: number, description: string): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const listener = () => {
        if (!check()) return;
        clearTimeout(timer);
        this.#onProgress.delete(listener);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#onProgress.delete(listener);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${description}`));
      }, timeoutMs);
      this.#onProgress.add(listener);
    });
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
