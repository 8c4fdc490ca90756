import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * An error as one short object: type, code, HTTP status, message and the chain of causes'
 * messages. The stack (multi-KB for a client-node error) only at debug level.
 */
export function briefError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: String(err) };
  const e = err as Error & { code?: unknown; status?: unknown };
  const causes: string[] = [];
  for (let c: unknown = err.cause, i = 0; c instanceof Error && i < 5; c = c.cause, i++) {
    causes.push(c.message.split('\n', 1)[0]!);
  }
  return {
    type: err.name,
    ...(e.code !== undefined ? { code: e.code } : {}),
    ...(typeof e.status === 'number' ? { status: e.status } : {}),
    message: err.message.split('\n', 1)[0],
    ...(causes.length > 0 ? { cause: causes.join(' <- ') } : {}),
  };
}

/** NDJSON to stdout, one line per event; credentials never reach the log. */
export function createLogger(level: string, podName: string): Logger {
  return pino({
    level,
    serializers: { err: level === 'debug' ? pino.stdSerializers.err : briefError },
    base: { pod: podName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['*.passcode', '*.password', '*.token', 'stompPasscode'],
      censor: '[redacted]',
    },
  });
}
