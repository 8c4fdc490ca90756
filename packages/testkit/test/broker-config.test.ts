import { connect } from 'node:net';
import { generatePassword } from '@activemq-ha/manifests';
import {
  type BrokerGroup,
  locateActivemq,
  pollUntil,
  startBrokerGroup,
  webConsoleUnavailable,
} from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

// The broker of ACTIVEMQ_VERSION (scripts/test-broker-matrix.sh runs this file per version) with
// the activemq.xml and jetty.xml (or jetty-spring.xml + conf/jetty/*) that @activemq-ha/manifests
// renders for that version: the broker and its web console must start, the console must ask for
// the generated credentials and list the broker's queues.
const installation = locateActivemq();
// Debian's package has no console; a 6.3 home assembled from Maven Central lacks the
// activemq-web jar (JettyServerBean) and the console war, which Maven Central does not serve.
const consoleUnavailable = webConsoleUnavailable(installation);
const admin = { username: 'console-admin', password: generatePassword() };
const client = { username: 'app', password: generatePassword() };
const QUEUE = `console.probe.${Date.now()}`;

let group: BrokerGroup<'stomp'>;
let base: string;

/** GET with an optional basic-auth user; connection errors become status 0 (not up yet). */
async function get(
  path: string,
  user?: { username: string; password: string },
): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = {};
  if (user) {
    headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }
  try {
    const res = await fetch(`${base}${path}`, { headers, signal: AbortSignal.timeout(60_000) });
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

/** Polls until the console answers at all (it starts after the broker), with a deadline. */
async function waitForConsole(deadlineMs: number): Promise<void> {
  await pollUntil(
    async () => ((await get('/admin/')).status !== 0 ? true : undefined),
    { timeoutMs: deadlineMs, intervalMs: 200 },
    () => new Error(`the web console at ${base} did not answer within ${deadlineMs} ms`),
  );
}

/** Sends one persistent message over STOMP and waits for the broker's receipt: the queue exists. */
function sendWithReceipt(port: number, destination: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let buffer = '';
    const fail = (error: Error) => {
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(15_000, () => fail(new Error('STOMP: no receipt within 15 s')));
    socket.on('error', fail);
    socket.on('connect', () => {
      socket.write(
        `CONNECT\naccept-version:1.2\nhost:localhost\nlogin:${client.username}\npasscode:${client.password}\n\n\0`,
      );
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      if (buffer.startsWith('ERROR')) return fail(new Error(`STOMP: ${buffer}`));
      if (buffer.includes('CONNECTED') && !buffer.includes('SENT')) {
        buffer += 'SENT';
        socket.write(
          `SEND\ndestination:/queue/${destination}\npersistent:true\nreceipt:r1\ncontent-type:text/plain\n\nhello\0`,
        );
      }
      if (buffer.includes('RECEIPT')) {
        socket.end('DISCONNECT\n\n\0');
        resolve();
      }
    });
  });
}

describe.skipIf(consoleUnavailable !== undefined)(
  `broker config rendered by the manifests, ActiveMQ ${installation.release} (${installation.version})${consoleUnavailable ? `, skipped: ${consoleUnavailable}` : ''}`,
  () => {
    beforeAll(async () => {
      group = await startBrokerGroup({
        size: 1,
        protocols: ['stomp'],
        users: [client],
        webConsole: { users: [admin] },
      });
      base = `http://127.0.0.1:${group.brokers[0]!.consolePort}`;
      await waitForConsole(90_000);
    });
    afterAll(async () => {
      await group?.stop();
    });

    it('the console refuses requests without or with wrong credentials (401)', async () => {
      onTestFailed(() => group.dumpLogs());
      expect((await get('/admin/')).status).toBe(401);
      expect((await get('/admin/queues.jsp', { ...admin, password: 'wrong' })).status).toBe(401);
      expect((await get('/admin/queues.jsp', client)).status).toBe(401);
    });

    it('the console answers the generated credentials and lists a queue the broker has', async () => {
      onTestFailed(() => group.dumpLogs());
      expect((await get('/admin/index.jsp', admin)).status).toBe(200);
      await sendWithReceipt(group.brokers[0]!.ports.stomp, QUEUE);
      const queues = await get('/admin/xml/queues.jsp', admin);
      expect(queues.status).toBe(200);
      // useJmx="true" (in-process only): with useJmx="false" this list is empty.
      expect(queues.body, queues.body).toContain(`<queue name="${QUEUE}">`);
      expect(queues.body).toMatch(
        new RegExp(`<queue name="${QUEUE.replaceAll('.', '\\.')}">\\s*<stats size="1"`),
      );
    });
  },
);

if (consoleUnavailable !== undefined) {
  // Reported as skipped rather than silently absent, with the reason: Debian's 5.17.2 has no web
  // console, a 6.3 home from Maven Central lacks the artifacts it needs.
  describe('broker config', () => {
    it.skip(`ActiveMQ ${installation.release} at ${installation.home}: ${consoleUnavailable}`, () => {});
  });
}
