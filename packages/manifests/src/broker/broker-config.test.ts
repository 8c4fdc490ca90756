import { describe, expect, it } from 'vitest';
import { resolveBaseOptions } from '../resolve-options.js';
import { renderBrokerConfig } from './broker-config.js';

const render = (version: string) =>
  renderBrokerConfig(
    resolveBaseOptions({
      broker: { version, allowUnsupported: true },
      storage: { storageClassName: 'nfs-rwx' },
    }),
  );

describe('renderBrokerConfig', () => {
  it('a Jetty 9/11 release gets jetty.xml, imported by activemq.xml', () => {
    const files = render('6.2.10');
    expect(Object.keys(files).sort()).toEqual([
      'activemq.xml',
      'credentials.properties',
      'jetty.xml',
    ]);
    // The console's JMS login is the broker user, from the Secret's variables.
    expect(files['credentials.properties']).toContain('activemq.username=${ACTIVEMQ_USERNAME}');
    expect(files['activemq.xml']).toContain('useJmx="true"');
    expect(files['activemq.xml']).toContain('<managementContext createConnector="false"/>');
    expect(files['activemq.xml']).toContain('<import resource="jetty.xml"/>');
    expect(files['jetty.xml']).toContain('org.eclipse.jetty.util.security.Constraint');
  });

  it('a Jetty 12 release gets jetty-spring.xml, its properties and the security XML', () => {
    const files = render('6.3.1');
    expect(Object.keys(files).sort()).toEqual([
      'activemq.xml',
      'credentials.properties',
      'jetty-security.xml',
      'jetty-spring.properties',
      'jetty-spring.xml',
    ]);
    expect(files['activemq.xml']).toContain('<import resource="jetty-spring.xml"/>');
    expect(files['jetty-spring.xml']).toContain('org.apache.activemq.spring.jetty.JettyServerBean');
    expect(files['jetty-spring.properties']).toContain('jetty.http.host=127.0.0.1');
    expect(files['jetty-spring.properties']).toContain('jetty.http.port=8161');
    expect(files['jetty-security.xml']).toContain(
      '/etc/activemq-ha/console/jetty-realm.properties',
    );
    // No Jetty 9/11 class may reach a Jetty 12 broker.
    expect(Object.values(files).join('\n')).not.toMatch(
      /util\.security\.Constraint|HandlerCollection/,
    );
  });
});
