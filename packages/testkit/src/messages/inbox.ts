/**
 * What a message handler received, in order; `next(n)` resolves once n messages are in. Tests of
 * any client (the HA client's `ReceivedMessage`, OpenWireConnection's) wait on it instead of
 * polling, so a delivery wakes the test at once.
 */
export interface Inbox<M> {
  readonly received: M[];
  readonly handler: (message: M) => void;
  next(count: number): Promise<M[]>;
}

export function inbox<M>(): Inbox<M> {
  const received: M[] = [];
  const waiters: (() => void)[] = [];
  return {
    received,
    handler: (message) => {
      received.push(message);
      for (const wake of waiters.splice(0)) wake();
    },
    async next(count) {
      while (received.length < count) await new Promise<void>((r) => waiters.push(r));
      return received.slice(0, count);
    },
  };
}
