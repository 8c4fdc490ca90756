import { describe, expect, it } from 'vitest';
import type { ConnectionState } from './connection-state.js';
import { HaClientError } from './errors.js';
import { type LoopClock, ReconnectLoop, type RecoveredOutage } from './reconnect-loop.js';
import { RECONNECT_DEFAULTS, type ResolvedReconnect } from './reconnect-policy.js';
import type { ServerAddress } from './server-address.js';
import type { Session } from './session.js';

/** A clock whose time moves only when the test says so. */
class ManualClock implements LoopClock {
  time = 0;
  #timers: { at: number; callback: () => void; id: number }[] = [];
  #nextId = 0;
  now = () => this.time;
  setTimeout = (callback: () => void, ms: number) => {
    const id = ++this.#nextId;
    this.#timers.push({ at: this.time + ms, callback, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.#timers = this.#timers.filter((t) => t.id !== handle);
  };
  get pending(): number {
    return this.#timers.length;
  }
  /** Moves time forward, firing the timers that fall due in order. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const next = this.#timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.time = next.at;
      next.callback();
      await settle();
    }
    this.time = end;
  }
}

/** Lets promise callbacks run (the loop's dials are async). */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const A: ServerAddress = { host: 'a', port: 1, tls: false };
const B: ServerAddress = { host: 'b', port: 2, tls: false };

function fakeSession(server: ServerAddress) {
  const session = {
    server,
    heartBeat: [0, 0] as const,
    alive: true,
    destroyed: false,
    request: async () => undefined,
    fire: () => true,
    disconnect: async () => undefined,
    destroy() {
      session.alive = false;
      session.destroyed = true;
    },
  };
  return session;
}
type FakeSession = ReturnType<typeof fakeSession>;

/** A dial the test settles: `accept()` opens a session, `refuse()` fails it. */
interface Dial {
  readonly server: ServerAddress;
  accept(): FakeSession;
  refuse(error?: Error): void;
}

function setup(policy: Partial<ResolvedReconnect> = {}, servers: ServerAddress[] = [A, B]) {
  const clock = new ManualClock();
  const states: ConnectionState[] = [];
  const dials: Dial[] = [];
  const adopted: Session[] = [];
  const connected: (RecoveredOutage | undefined)[] = [];
  const problems: HaClientError[] = [];
  const fatal: HaClientError[] = [];
  let known = servers;
  const loop = new ReconnectLoop(
    { ...RECONNECT_DEFAULTS, ...policy },
    {
      description: 'test',
      round: () => known,
      open: (server) =>
        new Promise<Session>((resolve, reject) => {
          dials.push({
            server,
            accept: () => {
              const s = fakeSession(server);
              resolve(s);
              return s;
            },
            refuse: (error = new Error('ECONNREFUSED')) => reject(error),
          });
        }),
      state: (s) => states.push(s),
      connecting: () => undefined,
      adopt: (s) => adopted.push(s),
      connected: (_s, outage) => connected.push(outage),
      problem: (e) => problems.push(e),
      fatal: (e) => fatal.push(e),
      debug: () => undefined,
    },
    clock,
    () => 0.5, // the nominal delays
  );
  const types = () => states.map((s) => s.type);
  const setServers = (list: ServerAddress[]) => {
    known = list;
  };
  const lastDial = () => dials[dials.length - 1]!;
  return {
    clock,
    loop,
    states,
    types,
    dials,
    lastDial,
    adopted,
    connected,
    problems,
    fatal,
    setServers,
  };
}

describe('ReconnectLoop', () => {
  it('connecting → connected → (lost) → connecting → connected, reporting the outage', async () => {
    const t = setup();
    t.loop.start();
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: A, round: 0 });
    const first = t.lastDial().accept();
    await settle();
    expect(t.loop.state).toMatchObject({ type: 'connected', server: A });
    expect(t.adopted).toEqual([first]);
    expect(t.connected).toEqual([undefined]);

    t.clock.time = 1000;
    t.loop.lost(A);
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: A, round: 0 });
    t.clock.time = 1040;
    t.lastDial().accept();
    await settle();
    expect(t.connected[1]).toEqual({ from: A, outageMs: 40 });
    expect(t.types()).toEqual(['connecting', 'connected', 'connecting', 'connected']);
  });

  it('tries every server of a round, then waits the policy delay and starts again', async () => {
    const t = setup();
    t.loop.start();
    t.lastDial().refuse();
    await settle();
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: B, round: 0 });
    t.lastDial().refuse();
    await settle();
    // Round 1 failed: 25 ms (initialDelayMs, nominal) in the fast phase.
    expect(t.loop.state).toMatchObject({ type: 'waiting', delayMs: 25, round: 1 });
    expect(t.loop.state.type === 'waiting' && t.loop.state.lastError?.message).toMatch(
      /ECONNREFUSED/,
    );
    await t.clock.advance(24);
    expect(t.dials).toHaveLength(2);
    await t.clock.advance(1);
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: A, round: 1 });
    expect(t.dials).toHaveLength(3);
  });

  it('backs off to the slow phase once the fast window is over', async () => {
    const t = setup({ fastWindowMs: 1000 }, [A]);
    t.loop.start();
    const delays: number[] = [];
    while (t.clock.time < 20_000) {
      t.lastDial().refuse();
      await settle();
      const s = t.loop.state;
      if (s.type !== 'waiting' || s.delayMs === 'discovery') throw new Error(`state ${s.type}`);
      delays.push(s.delayMs);
      await t.clock.advance(s.delayMs);
    }
    expect(Math.max(...delays.slice(0, 5))).toBeLessThanOrEqual(100);
    // Decorrelated jitter: at random 0.5 the middle of [fastMaxDelayMs, maxDelayMs].
    expect(delays[delays.length - 1]).toBe(1550);
    expect(Math.max(...delays)).toBeLessThanOrEqual(3000);
  });

  it('waits for discovery while it names nobody, and goes at once when it names someone', async () => {
    const t = setup({}, []);
    t.loop.start();
    expect(t.loop.state).toEqual({ type: 'waiting', delayMs: 'discovery', round: 0 });
    expect(t.clock.pending).toBe(0);
    t.setServers([B]);
    t.loop.moved();
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: B });
  });

  it('a move during a backoff sleep cuts it short', async () => {
    const t = setup({}, [A]);
    t.loop.start();
    t.lastDial().refuse();
    await settle();
    expect(t.loop.state.type).toBe('waiting');
    t.setServers([B]);
    t.loop.moved();
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: B });
    expect(t.clock.pending).toBe(0);
  });

  it('a move during a dial abandons it (its late session is destroyed, never adopted)', async () => {
    const t = setup({}, [A]);
    t.loop.start();
    const stale = t.lastDial();
    t.setServers([B]);
    t.loop.moved();
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: B });
    const fresh = t.lastDial().accept();
    await settle();
    const late = stale.accept();
    await settle();
    expect(late.destroyed).toBe(true);
    expect(t.adopted).toEqual([fresh]);
    expect(t.loop.state).toMatchObject({ type: 'connected', server: B });
  });

  it('a move while connected is the owner’s business: nothing happens in the loop', async () => {
    const t = setup();
    t.loop.start();
    t.lastDial().accept();
    await settle();
    t.loop.moved();
    expect(t.dials).toHaveLength(1);
    expect(t.loop.state.type).toBe('connected');
  });

  it('halt while dialling: the session that arrives is destroyed, nothing more is tried', async () => {
    const t = setup();
    t.loop.start();
    t.loop.halt();
    t.loop.setState({ type: 'closing' });
    const late = t.lastDial().accept();
    await settle();
    expect(late.destroyed).toBe(true);
    expect(t.adopted).toEqual([]);
    expect(t.loop.state.type).toBe('closing');
    t.loop.lost(A);
    t.loop.moved();
    t.loop.start();
    expect(t.dials).toHaveLength(1);
  });

  it('halt while waiting: the timer is cancelled', async () => {
    const t = setup({}, [A]);
    t.loop.start();
    t.lastDial().refuse();
    await settle();
    expect(t.clock.pending).toBe(1);
    t.loop.halt();
    expect(t.clock.pending).toBe(0);
    await t.clock.advance(10_000);
    expect(t.dials).toHaveLength(1);
  });

  it('halt while waiting for discovery: a later move starts nothing', () => {
    const t = setup({}, []);
    t.loop.start();
    t.loop.halt();
    t.setServers([A]);
    t.loop.moved();
    expect(t.dials).toHaveLength(0);
  });

  it('halt while connected: a lost session starts no round; closed is final', async () => {
    const t = setup();
    t.loop.start();
    t.lastDial().accept();
    await settle();
    t.loop.halt();
    t.loop.lost(A);
    expect(t.dials).toHaveLength(1);
    t.loop.setState({ type: 'closed' });
    t.loop.setState({ type: 'closing' });
    expect(t.loop.state.type).toBe('closed');
  });

  it('reconnects during a drain: closing does not stop the loop, halt does', async () => {
    const t = setup({}, [A]);
    t.loop.start();
    t.lastDial().accept();
    await settle();
    t.loop.setState({ type: 'closing' });
    t.loop.lost(A);
    expect(t.loop.state).toMatchObject({ type: 'connecting', server: A });
  });

  it('stops for good on refused credentials', async () => {
    const t = setup();
    t.loop.start();
    t.lastDial().refuse(
      new HaClientError('AUTHENTICATION_FAILED', 'User name [u] or password is invalid.'),
    );
    await settle();
    expect(t.fatal.map((e) => e.code)).toEqual(['AUTHENTICATION_FAILED']);
    expect(t.dials).toHaveLength(1);
    expect(t.loop.halted).toBe(true);
  });

  it('gives up after maxRounds with CONNECTION_LOST (not while closing)', async () => {
    const t = setup({ maxRounds: 1 }, [A]);
    t.loop.start();
    t.lastDial().refuse();
    await settle();
    await t.clock.advance(1000);
    t.lastDial().refuse();
    await settle();
    expect(t.fatal).toHaveLength(1);
    expect(t.fatal[0]).toMatchObject({ code: 'CONNECTION_LOST' });
    expect(t.fatal[0]?.message).toMatch(/gave up after 2 rounds over test: .*ECONNREFUSED/);

    const c = setup({ maxRounds: 0 }, [A]);
    c.loop.start();
    c.loop.setState({ type: 'closing' });
    c.lastDial().refuse();
    await settle();
    expect(c.fatal).toHaveLength(0);
    expect(c.loop.halted).toBe(true);
  });

  it('reports a client id in use once per outage and keeps retrying', async () => {
    const t = setup({}, [A]);
    const inUse = () =>
      new HaClientError('CLIENT_ID_IN_USE', 'Broker: x - Client: c already connected');
    t.loop.start();
    for (let i = 0; i < 3; i++) {
      t.lastDial().refuse(inUse());
      await settle();
      await t.clock.advance(1000);
    }
    expect(t.problems).toHaveLength(1);
    t.lastDial().accept();
    await settle();
    t.loop.lost(A);
    t.lastDial().refuse(inUse());
    await settle();
    expect(t.problems).toHaveLength(2);
  });

  it('start() is idempotent while a round runs', () => {
    const t = setup();
    t.loop.start();
    t.loop.start();
    expect(t.dials).toHaveLength(1);
  });
});
