import { afterEach, describe, expect, it, vi } from 'vitest';
import { BrokerError, HaClientError } from './errors.js';
import { FRAME_LIMIT_DEFAULTS } from './options.js';
import { Sender, type SenderOptions } from './sender.js';
import type { FrameHeaders, Session } from './session.js';

/** A connection that records SENDs; `hold` keeps their receipts until `answer()`. */
function fakeSession(hold = false) {
  const sent: FrameHeaders[] = [];
  const held: { resolve(): void; reject(e: Error): void }[] = [];
  const session = {
    alive: true,
    request(_command: string, headers: FrameHeaders): Promise<void> {
      sent.push(headers);
      if (!hold) return Promise.resolve();
      return new Promise<void>((resolve, reject) => held.push({ resolve, reject }));
    },
  };
  return {
    session: session as unknown as Session,
    sent,
    answer: () => {
      for (const h of held.splice(0)) h.resolve();
    },
    kill: () => {
      session.alive = false;
      const lost = new HaClientError('CONNECTION_LOST', 'gone');
      for (const h of held.splice(0)) h.reject(lost);
    },
  };
}

function sender(current: () => Session | undefined, options: Partial<SenderOptions> = {}) {
  return new Sender(
    {
      outboxSize: 2,
      outboxOverflow: 'wait',
      sendTimeoutMs: 0,
      messageIdHeader: 'ha-message-id',
      frameLimits: FRAME_LIMIT_DEFAULTS,
      maxSendAttempts: 3,
      ...options,
    },
    current,
  );
}

afterEach(() => {
  vi.useRealTimers();
});

describe("Sender with outboxOverflow: 'wait'", () => {
  it('writes sends that waited for room on the connection current when they get it', async () => {
    let session: Session | undefined;
    const s = sender(() => session);
    // Five sends before any connection: two fit, three wait for room.
    const sends = [1, 2, 3, 4, 5].map((i) => s.send('/queue/a', `m${i}`, undefined));
    const conn = fakeSession();
    session = conn.session;
    s.flush(conn.session); // what the client does when a connection comes up
    await Promise.all(sends);
    expect(conn.sent.map((h) => h.destination)).toHaveLength(5);
    expect(s.pending).toBe(0);
  });

  it('writes a send that waited across a failover on the new connection', async () => {
    const first = fakeSession(true);
    let session: Session | undefined = first.session;
    const s = sender(() => session, { outboxSize: 1 });
    const a = s.send('/queue/a', 'a', undefined);
    const b = s.send('/queue/a', 'b', undefined); // waits for a's receipt
    expect(first.sent).toHaveLength(1);
    first.kill();
    session = undefined;
    expect(s.requeue(undefined)).toBe(1);
    const second = fakeSession(true);
    session = second.session;
    s.flush(second.session);
    second.answer(); // a's receipt makes room for b, which goes out on `second`
    await a;
    await vi.waitFor(() => expect(second.sent).toHaveLength(2));
    second.answer();
    await b;
    // a again with the same id, then b.
    expect(second.sent[0]!['ha-message-id']).toBe(first.sent[0]!['ha-message-id']);
    expect(second.sent[1]!['ha-message-id']).not.toBe(first.sent[0]!['ha-message-id']);
  });

  it('counts sendTimeoutMs from the call, including the wait for room', async () => {
    vi.useFakeTimers();
    const s = sender(() => undefined, { outboxSize: 1, sendTimeoutMs: 1000 });
    const a = s.send('/queue/a', 'a', undefined);
    const b = s.send('/queue/a', 'b', undefined);
    const settled: string[] = [];
    a.catch((e: HaClientError) => settled.push(`a:${e.code}`));
    b.catch((e: HaClientError) => settled.push(`b:${e.code}`));
    await vi.advanceTimersByTimeAsync(1000);
    expect(settled).toEqual(['a:SEND_TIMEOUT', 'b:SEND_TIMEOUT']);
    expect(s.pending).toBe(0);
    // The slot b would have had is free again.
    const c = s.send('/queue/a', 'c', undefined);
    const conn = fakeSession();
    s.flush(conn.session);
    await c;
    expect(conn.sent).toHaveLength(1);
  });

  it('rejects waiting sends when the client stops', async () => {
    const s = sender(() => undefined, { outboxSize: 1 });
    const a = s.send('/queue/a', 'a', undefined);
    const b = s.send('/queue/a', 'b', undefined);
    s.failAll(new HaClientError('CLOSED', 'closed'));
    await expect(a).rejects.toMatchObject({ code: 'CLOSED' });
    await expect(b).rejects.toMatchObject({ code: 'CLOSED' });
  });
});

describe('poison sends', () => {
  it('rejects the send the broker closed the connection on when it was alone in flight', async () => {
    const conn = fakeSession(true);
    let session: Session | undefined = conn.session;
    const s = sender(() => session, { outboxSize: 10 });
    const bad = s.send('/queue/a', 'bad', undefined);
    conn.kill();
    session = undefined;
    expect(s.requeue(new BrokerError('The maximum data length was exceeded', undefined))).toBe(0);
    await expect(bad).rejects.toMatchObject({ code: 'SEND_REJECTED', attempts: 1 });
  });

  it('isolates suspects one at a time, so only the poison is rejected', async () => {
    const first = fakeSession(true);
    let session: Session | undefined = first.session;
    const s = sender(() => session, { outboxSize: 10 });
    const sends = ['ok1', 'bad', 'ok2'].map((b) => s.send('/queue/a', b, undefined));
    first.kill();
    session = undefined;
    s.requeue(new BrokerError('boom', undefined));
    // Second connection: writes one at a time; the broker closes on "bad".
    const second = fakeSession(true);
    session = second.session;
    s.flush(second.session);
    expect(second.sent).toHaveLength(1);
    second.answer(); // ok1 confirmed → bad written alone
    await sends[0];
    await vi.waitFor(() => expect(second.sent).toHaveLength(2));
    second.kill();
    session = undefined;
    s.requeue(new BrokerError('boom', undefined));
    await expect(sends[1]).rejects.toMatchObject({ code: 'SEND_REJECTED' });
    const third = fakeSession();
    session = third.session;
    s.flush(third.session);
    await sends[2];
    expect(s.pending).toBe(0);
  });

  it('gives up after maxSendAttempts connection deaths in flight', async () => {
    let session: Session | undefined;
    const s = sender(() => session, { maxSendAttempts: 2 });
    const p = s.send('/queue/a', 'x', undefined);
    for (let i = 0; i < 2; i++) {
      const c = fakeSession(true);
      session = c.session;
      s.flush(c.session);
      c.kill();
      session = undefined;
      s.requeue(new HaClientError('CONNECTION_LOST', 'gone'));
    }
    await expect(p).rejects.toMatchObject({ code: 'SEND_REJECTED', attempts: 2 });
  });

  it.each([
    [{ 'x-big': 'v'.repeat(11_000) }, 'x', /FRAME_TOO_LARGE|over the limit/],
    [{ 'content-length': 3 }, 'four', /content-length/],
    [{ receipt: 'r' }, 'x', /receipt/],
    [{ 'bad\0': 'x' }, 'x', /NUL/],
  ])('refuses %o before writing', (headers, body, message) => {
    const s = sender(() => undefined);
    expect(() => s.prepare('/queue/a', body, headers)).toThrow(message);
  });

  it('refuses a body over the limit before writing', () => {
    const s = sender(() => undefined, {
      frameLimits: { ...FRAME_LIMIT_DEFAULTS, maxBodyBytes: 10 },
    });
    expect(() => s.prepare('/queue/a', Buffer.alloc(11), undefined)).toThrow(
      expect.objectContaining({ code: 'FRAME_TOO_LARGE' }),
    );
  });
});

describe('Map bodies and typed properties', () => {
  it('hands a Map body and typed properties to the session beside an empty body, again on a resend', async () => {
    const extras: unknown[] = [];
    const session = {
      alive: true,
      request(_c: string, _h: FrameHeaders, body: unknown, extra: unknown): Promise<void> {
        extras.push({ body, extra });
        return Promise.resolve();
      },
    } as unknown as Session;
    const s = sender(() => session);
    const map = new Map([['k', 1]]);
    const properties = new Map([['p', 2n]]);
    await s.send('/queue/q', map, undefined, { properties });
    expect(extras).toEqual([{ body: '', extra: { properties, map } }]);
    // A plain send carries nothing extra; typed properties also go as strings (for STOMP).
    const prepared = s.prepare('/queue/q', 'x', { a: 1 }, properties);
    expect(prepared.map).toBeUndefined();
    expect(prepared.headers).toMatchObject({ a: '1', p: '2' });
  });
});
