import { now } from '../broker/timing.js';

/** The part of a core probe this needs, so testkit does not depend on core. */
export interface AnswerProbe {
  run(): Promise<{ readonly status: string }>;
}

/**
 * When a broker that just took the lock first answers its protocol. Its port accepts TCP a little
 * earlier, while it finishes starting; the first answer is the honest "serving" floor of a
 * failover. Overlapping probes every `everyMs` catch that moment within about `everyMs`.
 */
export function firstProtocolAnswer(
  probe: AnswerProbe,
  { everyMs = 20, timeoutMs = 30_000 } = {},
): Promise<number> {
  const deadline = now() + timeoutMs;
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setInterval(() => {
      if (now() > deadline) {
        clearInterval(timer);
        done = true;
        reject(new Error(`no protocol answer within ${timeoutMs} ms`));
        return;
      }
      void probe.run().then((r) => {
        if (r.status !== 'ok' || done) return;
        done = true;
        clearInterval(timer);
        resolve(now());
      });
    }, everyMs);
  });
}
