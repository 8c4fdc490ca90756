import { generatePassword } from '@activemq-ha/manifests';
import { locateActivemq, type RenderedJetty12, startRenderedJetty12 } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

// The Jetty 12 console config @activemq-ha/manifests renders for 6.3+ (jetty-spring.properties and
// conf/jetty/jetty-security.xml), run on the release's own Jetty 12 jars. broker-config.test.ts
// runs the whole console where the distribution is complete; a 6.3 home assembled from Maven
// Central lacks activemq-web (JettyServerBean, which jetty-spring.xml starts) and the console
// war, so here Jetty's XmlConfiguration configures the same files in JettyServerBean's order
// (see startRenderedJetty12) and no webapp is deployed.
const installation = locateActivemq();
const jetty12 = installation.jettyEtcDir !== undefined;
const admin = { username: 'console-admin', password: generatePassword() };

let server: RenderedJetty12;

async function status(path: string, user?: { username: string; password: string }) {
  const headers: Record<string, string> = {};
  if (user) {
    headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  }
  const res = await fetch(`${server.url}${path}`, { headers, signal: AbortSignal.timeout(30_000) });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

describe.skipIf(!jetty12)(
  `rendered Jetty 12 console config on ActiveMQ ${installation.release}'s Jetty (${installation.version})${jetty12 ? '' : ', skipped: not a 6.3+ home with Jetty etc/ (scripts/setup-brokers.sh)'}`,
  () => {
    beforeAll(async () => {
      server = await startRenderedJetty12({ activemq: installation, users: [admin] });
    });
    afterAll(async () => {
      await server?.stop();
    });

    it('configures every file of the rendered jetty-spring.properties and binds its host:port', async () => {
      onTestFailed(async () => console.log(await server.output()));
      expect(server.xmlFiles.map((f) => f.split('/').pop())).toEqual([
        'jetty-bytebufferpool.xml',
        'jetty-threadpool.xml',
        'jetty-scheduler.xml',
        'jetty-http-config.xml',
        'jetty.xml',
        'jetty-connection-limit.xml',
        'jetty-network-connection-limit.xml',
        'jetty-security.xml',
        'jetty-min-data-rate.xml',
        'jetty-thread-limit.xml',
        'jetty-size-limit.xml',
        'jetty-http.xml',
      ]);
      // ActiveMQ's own jetty-dos.xml is in the image only; said, not hidden.
      expect(server.leftOut).toEqual([expect.stringMatching(/^jetty-dos\.xml: /)]);
      expect(server.xmlFiles.find((f) => f.endsWith('/jetty-security.xml'))).toMatch(
        /\/conf\/jetty\//,
      );
      expect((await status('/admin/')).status).toBe(401);
    });

    it('asks for credentials (401) without, with a wrong password, and for an unknown user', async () => {
      onTestFailed(async () => console.log(await server.output()));
      const none = await status('/admin/');
      expect(none.status).toBe(401);
      expect(none.challenge).toMatch(/^basic realm="ActiveMQRealm"/i);
      expect((await status('/admin/queues.jsp', { ...admin, password: 'wrong' })).status).toBe(401);
      expect(
        (await status('/api/jolokia/', { username: 'nobody', password: admin.password })).status,
      ).toBe(401);
    });

    it('lets the generated credentials through the constraint (no webapp here: 404 behind it)', async () => {
      onTestFailed(async () => console.log(await server.output()));
      expect((await status('/admin/', admin)).status).toBe(404);
      expect((await status('/', admin)).status).toBe(404);
    });
  },
);
