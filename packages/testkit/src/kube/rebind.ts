// Listening again on a port that was ours a moment ago (an API back from an outage, a Service proxy
// whose endpoints returned): the bind can still fail briefly while the kernel lets go of the old
// socket, so it is retried for about a second before giving up with LISTEN_FAILED.
import { KubeEmulatorError } from './errors.js';

export async function rebind(
  bind: () => Promise<void>,
  what: string,
  port: () => number,
): Promise<void> {
  let lastErr: unknown;
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      await bind();
      return;
    } catch (err) {
      lastErr = err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new KubeEmulatorError('LISTEN_FAILED', `${what} could not listen on port ${port()}`, {
    cause: lastErr,
  });
}
