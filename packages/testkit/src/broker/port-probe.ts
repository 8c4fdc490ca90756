import { connect } from 'node:net';

/**
 * Whether something accepts TCP connections on `host:port`. The connection is closed normally:
 * a reset would be logged by ActiveMQ as a WARN "Could not accept connection", while a close
 * before the first frame is not logged at all. Only successful probes leave a TIME_WAIT socket,
 * and its port is ephemeral, which broker ports never are (see free-ports.ts).
 */
export function acceptsConnections(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 1000,
): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (open: boolean) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      // A late error after we decided must not become an uncaught 'error' event.
      socket.on('error', () => {});
      socket.destroy();
      resolve(open);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
