import { afterEach, describe, expect, it, vi } from 'vitest';
import { HaClientError } from './errors.js';
import { Sender, type SenderOptions } from './sender.js';
import type { FrameHeaders, StompSession } from './stomp-session.js';

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
    session: session as unknown as StompSession,
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

function sender(current: () => StompSession | undefined, options: Partial<SenderOptions> = {}) {
  return new Sender(
    {
      outboxSize: 2,
      outboxOverflow: 'wait',
      sendTimeoutMs: 0,
      messageIdHeader: 'ha-message-id',
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
    let session: StompSession | undefined;
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
    let session: StompSession | undefined = first.session;
    const s = sender(() => session, { outboxSize: 1 });
    const a = s.send('/queue/a', 'a', undefined);
    const b = s.send('/queue/a', 'b', undefined); // waits for a's receipt
    expect(first.sent).toHaveLength(1);
    first.kill();
    session = undefined;
    expect(s.requeue()).toBe(1);
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
