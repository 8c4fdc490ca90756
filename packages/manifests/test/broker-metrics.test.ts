import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { JMX_EXPORTER_RULES, jmxExporterAgentFlag } from '@activemq-ha/manifests';
import { allocatePorts, startBrokerGroup } from '@activemq-ha/testkit';
import { describe, expect, it, onTestFailed } from 'vitest';

/** scripts/setup-jmx-exporter.sh fetches this jar from Maven Central (the version the docs name). */
const JAR = join(
  homedir(),
  '.m2/repository/io/prometheus/jmx/jmx_prometheus_javaagent/1.0.1/jmx_prometheus_javaagent-1.0.1.jar',
);

describe('broker metrics through the JMX exporter java agent', () => {
  it.skipIf(!existsSync(JAR))(
    'serves broker and destination figures from the rendered rules, with no JMX port',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'activemq-ha-metrics-'));
      try {
        const rules = join(dir, 'jmx-exporter.yaml');
        await writeFile(rules, JMX_EXPORTER_RULES);
        const [port] = (await allocatePorts(1)) as [number];
        await using group = await startBrokerGroup({
          size: 1,
          config: { jmx: true },
          extraJvmArgs: [jmxExporterAgentFlag(JAR, port, rules)],
        });
        onTestFailed(group.dumpLogs);
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        expect(text).toMatch(/^activemq_broker_storepercentusage\{broker="activemq",?\} /m);
        expect(text).toMatch(/^activemq_broker_currentconnectionscount\{broker="activemq",?\} /m);
        expect(text).toMatch(/^jvm_memory_used_bytes\{area="heap"/m);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
