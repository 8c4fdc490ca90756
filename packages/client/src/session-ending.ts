import { HaClientError } from './errors.js';
import { formatServer, type ServerAddress } from './server-address.js';

/** Why a session's commands failed when its connection ended: one CONNECTION_LOST for all. */
export function connectionLost(server: ServerAddress, cause: Error | undefined): HaClientError {
  if (cause instanceof HaClientError && cause.code === 'CONNECTION_LOST') return cause;
  return new HaClientError(
    'CONNECTION_LOST',
    `${formatServer(server)}: ${cause?.message ?? 'connection closed'}`,
    cause ? { cause } : undefined,
  );
}

/**
 * A session's orderly goodbye (DISCONNECT, or RemoveInfo and ShutdownInfo), given at most
 * `timeoutMs`; then `destroy` closes the connection whatever the goodbye did.
 */
export async function goodbyeWithin(
  goodbye: () => Promise<unknown>,
  timeoutMs: number,
  destroy: () => void,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      goodbye(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
  } catch {
    // The connection is going away either way.
  } finally {
    clearTimeout(timer);
    destroy();
  }
}
