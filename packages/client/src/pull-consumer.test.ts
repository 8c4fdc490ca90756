import { describe, expect, it } from 'vitest';
import { HaClientError } from './errors.js';
import { MessageChannel } from './message-stream.js';
import { PullConsumerImpl } from './pull-consumer.js';
import { parseServerUri } from './server-address.js';
import type { Session } from './session.js';
import type { MessageStream, ReceivedMessage } from './subscription.js';

const message = (id: string) => ({ id }) as ReceivedMessage;
const stream = {
  id: 'sub-1',
  destination: '/queue/q',
  unsubscribe: async () => {},
} as never as MessageStream;

/** A session whose pulls are scripted: each returns what `answer` says (a message is offered). */
function fakeSession(channel: MessageChannel, answer: (n: number) => string | null | 'lost') {
  let pulls = 0;
  const session = {
    server: parseServerUri('tcp://a:61616'),
    alive: true,
    pulls: [] as number[],
    async pull(_sub: string, timeoutMs: number) {
      session.pulls.push(timeoutMs);
      const a = answer(pulls++);
      if (a === 'lost') throw new HaClientError('CONNECTION_LOST', 'gone');
      if (a === null) return false;
      void channel.handler(message(a));
      return true;
    },
  };
  return session;
}

describe('PullConsumerImpl.receive', () => {
  it('returns the pulled message, and asks again on the next connection after a loss', async () => {
    const channel = new MessageChannel(() => {});
    const session = fakeSession(channel, (n) => (n === 0 ? 'lost' : 'm-1'));
    const consumer = new PullConsumerImpl(stream, channel, {
      session: () => session as unknown as Session,
      whenConnected: async () => {},
    });
    expect((await consumer.receive({ timeoutMs: 5000 }))?.id).toBe('m-1');
    expect(session.pulls).toHaveLength(2);
    // The time left, not the whole timeout again, and never 0 (which means "for ever").
    expect(session.pulls[1]).toBeGreaterThan(0);
    expect(session.pulls[1]).toBeLessThanOrEqual(5000);
  });

  it('returns null when the broker answers empty within the time, and pulls without limit for receive()', async () => {
    const channel = new MessageChannel(() => {});
    const session = fakeSession(channel, () => null);
    const consumer = new PullConsumerImpl(stream, channel, {
      session: () => session as unknown as Session,
      whenConnected: async () => {},
    });
    // The broker's empty answer comes at its timeout; the fake answers at once, so the consumer
    // asks again until its own deadline has passed.
    expect(await consumer.receive({ timeoutMs: 20 })).toBeNull();
    session.pulls.length = 0;
    expect(await consumer.receive()).toBeNull();
    expect(session.pulls).toEqual([0]);
  });

  it('refuses a STOMP session, a second receive at once, and a bad timeout', async () => {
    const channel = new MessageChannel(() => {});
    const stomp = { server: parseServerUri('stomp://a:61613'), alive: true } as unknown as Session;
    const consumer = new PullConsumerImpl(stream, channel, {
      session: () => stomp,
      whenConnected: async () => {},
    });
    await expect(consumer.receive()).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: expect.stringMatching(/STOMP server, which has no pull/),
    });
    await expect(consumer.receive({ timeoutMs: -1 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    const waiting = new PullConsumerImpl(stream, channel, {
      session: () => undefined,
      whenConnected: () => new Promise(() => {}),
    });
    const first = waiting.receive({ timeoutMs: 30 });
    await expect(waiting.receive()).rejects.toThrow(/one receive\(\) at a time/);
    // No connection within the time: null, as JMS receive(timeout).
    expect(await first).toBeNull();
  });
});

describe('PullConsumerImpl with the real channel and dispatcher', () => {
  it('offers the answer to the next pull although the previous message was taken (no next() in between)', async () => {
    const { Dispatcher } = await import('./dispatcher.js');
    const channel = new MessageChannel(() => {});
    const dispatcher = new Dispatcher(channel.handler, 1, undefined, {
      handOver: () => {},
      duplicate: () => {},
      failed: () => {},
    });
    let n = 0;
    const session = {
      server: parseServerUri('tcp://a:61616'),
      alive: true,
      async pull() {
        dispatcher.push({
          generation: 1,
          ackId: undefined,
          log: { command: undefined },
          message: message(`m-${++n}`),
        });
        return true;
      },
    };
    const consumer = new PullConsumerImpl(stream, channel, {
      session: () => session as unknown as Session,
      whenConnected: async () => {},
    });
    expect((await consumer.receive({ timeoutMs: 1000 }))?.id).toBe('m-1');
    expect((await consumer.receive({ timeoutMs: 1000 }))?.id).toBe('m-2');
  });
});
