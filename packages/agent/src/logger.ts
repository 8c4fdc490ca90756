import { type Logger, pino } from 'pino';

export type { Logger };

/** NDJSON to stdout, one line per event; credentials never reach the log. */
export function createLogger(level: string, podName: string): Logger {
  return pino({
    level,
    base: { pod: podName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    redact: {
      paths: ['*.passcode', '*.password', '*.token', 'stompPasscode'],
      censor: '[redacted]',
    },
  });
}
