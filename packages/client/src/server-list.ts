import { invalidOption } from './errors.js';
import { type ServerAddress, sameServer } from './server-address.js';

export interface ServerListOptions {
  /**
   * Shuffle the servers once per round instead of keeping their written order.
   * @default false
   */
  readonly randomize?: boolean;
  /** Source of randomness, for tests. @default Math.random */
  readonly random?: () => number;
}

/**
 * The order in which a static server list is tried. A round tries every server once, back to
 * back; the client sleeps its backoff delay only between rounds (as ActiveMQ's failover
 * transport does), so a dead server costs one refused connect, not a delay.
 *
 * Without `randomize`, a round starts with the server after the one just lost and then follows
 * the written order, wrapping around: in a master/slave group the broker that just died is the
 * least likely to be the new master, so it is tried last. A first connection (nothing lost yet)
 * starts at the top of the list. With `randomize`, each round is a fresh shuffle (stompit's
 * randomize does nothing with two servers; ours does).
 */
export class ServerList {
  readonly servers: readonly ServerAddress[];
  readonly #randomize: boolean;
  readonly #random: () => number;

  constructor(servers: readonly ServerAddress[], options: ServerListOptions = {}) {
    if (servers.length === 0) throw invalidOption('servers', 'needs at least one server');
    this.servers = [...servers];
    this.#randomize = options.randomize === true;
    this.#random = options.random ?? Math.random;
  }

  /** The servers to try in the next round, in order. */
  round(lost?: ServerAddress): ServerAddress[] {
    if (this.#randomize) return shuffle([...this.servers], this.#random);
    const i = lost ? this.servers.findIndex((s) => sameServer(s, lost)) : -1;
    if (i < 0) return [...this.servers];
    return [...this.servers.slice(i + 1), ...this.servers.slice(0, i + 1)];
  }
}

/** Fisher–Yates, in place. */
function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
