import { type JettyXmlOptions, validateJettyXmlOptions } from './jetty-xml.js';

/**
 * The console files of a Jetty 12 release (6.3+), keyed as brokerConfigLayout names them. Read
 * against 6.3.1's assembly/src/release/conf: `jetty-spring.xml` starts `JettyServerBean`, which
 * loads `jetty-spring.properties` from conf/ and the Jetty XML files it lists from conf/jetty/ (the
 * image's own, except `jetty-security.xml`, replaced here: the image's authenticates through JAAS
 * against conf/users.properties and lets only loopback clients in; this one uses the realm file
 * from the Secret, like the Jetty 9/11 `jetty.xml`, and leaves reach to the bind address).
 */
export function renderJetty12Files(options: JettyXmlOptions): Record<string, string> {
  const { host, port, realmFile } = validateJettyXmlOptions(options);
  return {
    'jetty-spring.xml': `<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by @activemq-ha/manifests: starts the admin console (Jetty 12). -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd">
  <bean id="jettyServer" class="org.apache.activemq.spring.jetty.JettyServerBean">
    <property name="jettyXmlDirectory" value="\${activemq.conf}/jetty"/>
    <property name="jettyConfDirectory" value="\${activemq.conf}"/>
    <property name="webAppsContext" value="jetty-webapps.xml"/>
  </bean>
</beans>
`,
    'jetty-spring.properties': `${[
      '# Rendered by @activemq-ha/manifests for JettyServerBean (Jetty 12): HTTP only.',
      'jettyXmlFiles=jetty-bytebufferpool.xml,jetty-threadpool.xml,jetty-scheduler.xml,jetty-http-config.xml,jetty.xml,jetty-connection-limit.xml,jetty-network-connection-limit.xml,jetty-security.xml,jetty-min-data-rate.xml,jetty-thread-limit.xml,jetty-size-limit.xml,jetty-dos.xml',
      'jettyHttpXmlFiles=jetty-http.xml',
      'httpEnabled=true',
      'httpsEnabled=false',
      `jetty.http.host=${host}`,
      `jetty.http.port=${port}`,
      'jetty.httpConfig.sendServerVersion=false',
      'jetty.httpConfig.sendDateHeader=false',
      'jetty.server.default.serveFavIcon=false',
      'jetty.server.default.showContexts=false',
    ].join('\n')}\n`,
    'jetty-security.xml': `<?xml version="1.0"?>
<!DOCTYPE Configure PUBLIC "-//Jetty//Configure//EN" "https://jetty.org/configure_10_0.dtd">
<!-- Rendered by @activemq-ha/manifests: basic auth on every path against the Secret's realm file. -->
<Configure id="Server" class="org.eclipse.jetty.server.Server">
  <!-- A <Call> evaluates to its own result (here the ResourceFactory), not to that of a <Call>
       nested in it: the realm file's Resource is kept by id and passed by reference. -->
  <Call class="org.eclipse.jetty.util.resource.ResourceFactory" name="root">
    <Call id="realmFile" name="newResource"><Arg>${realmFile}</Arg></Call>
  </Call>
  <New id="realmLoginService" class="org.eclipse.jetty.security.HashLoginService">
    <Arg>ActiveMQRealm</Arg>
    <Arg><Ref refid="realmFile"/></Arg>
  </New>
  <Call name="insertHandler">
    <Arg>
      <New class="org.eclipse.jetty.security.SecurityHandler$PathMapped">
        <Set name="loginService"><Ref refid="realmLoginService"/></Set>
        <Set name="authenticator">
          <New class="org.eclipse.jetty.security.authentication.BasicAuthenticator"/>
        </Set>
        <Call name="put">
          <Arg>/*</Arg>
          <Arg>
            <Call class="org.eclipse.jetty.security.Constraint" name="from">
              <Arg><Array type="java.lang.String"><Item>admin</Item></Array></Arg>
            </Call>
          </Arg>
        </Call>
      </New>
    </Arg>
  </Call>
</Configure>
`,
  };
}
