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
 * Why a connect failed: TLS_FAILED when TLS refused the server (Node's verify codes such as
 * `DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`, or an `ERR_SSL_…` handshake
 * error), anywhere in the `cause` chain; otherwise CONNECTION_LOST.
 */
export function connectFailed(server: ServerAddress, cause: Error): HaClientError {
  const tls = tlsError(cause);
  if (tls) {
    return new HaClientError(
      'TLS_FAILED',
      `${formatServer(server)}: TLS refused the server (${tls.code}): ${tls.message}; check the client's tls options (ca, servername)`,
      { cause: tls },
    );
  }
  return connectionLost(server, cause);
}

const TLS_CODE = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY|DECRYPT)/;

function tlsError(error: unknown): (Error & { code: string }) | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TLS_CODE.test(code)) return e as Error & { code: string };
    e = e.cause;
  }
  return undefined;
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
