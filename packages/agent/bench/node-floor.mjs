// The floor under the agent's memory: what any Node process holds that serves HTTP (the agent's
// probes and metrics) and keeps an HTTPS connection pool (its API client), with no code of ours.
// Run it in the agent's place: `tsx packages/agent/bench/agent-memory.ts --bundle
// packages/agent/bench/node-floor.mjs [-- <node flags>]` (it has no metrics, so no heap figures).
import * as http from 'node:http';
import * as https from 'node:https';

const server = http.createServer((_req, res) => res.writeHead(404).end());
const agent = new https.Agent({ keepAlive: true });
server.listen(Number(process.env.ACTIVEMQ_HA_HTTP_PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  console.log(
    JSON.stringify({ httpPort: typeof address === 'object' ? address?.port : undefined }),
  );
});
process.once('SIGTERM', () => {
  agent.destroy();
  server.close();
});
