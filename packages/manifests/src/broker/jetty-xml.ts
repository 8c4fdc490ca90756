import { invalidOption } from '../errors.js';

export interface JettyXmlOptions {
  /**
   * Address the console binds to. `127.0.0.1` keeps it inside the pod (`kubectl port-forward`
   * still reaches it).
   * @default '127.0.0.1'
   */
  readonly host?: string;
  /** @default 8161 */
  readonly port?: number;
  /** Absolute path of the jetty realm file (`user: password, role`), mounted from a Secret. */
  readonly realmFile: string;
}

/** The console options with defaults, checked; shared by both Jetty layouts. */
export function validateJettyXmlOptions(options: JettyXmlOptions): Required<JettyXmlOptions> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8161;
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidOption('port', `must be a port between 1 and 65535, got ${port}`);
  }
  if (!/^[0-9a-fA-F.:]+$/.test(host))
    throw invalidOption('host', `must be an IP address, got "${host}"`);
  if (!options.realmFile.startsWith('/') || /[<>&"\n]/.test(options.realmFile)) {
    throw invalidOption('realmFile', `must be an absolute path, got "${options.realmFile}"`);
  }
  return { host, port, realmFile: options.realmFile };
}

/**
 * Renders `jetty.xml` (Jetty 9 and 11: 5.x and 6.0–6.2) with only the admin console: no demo web apps, no `/api` (Jolokia), no file
 * listing of the webapps directory, basic auth on every path, hardening headers.
 */
export function renderJettyXml(options: JettyXmlOptions): string {
  const { host, port } = validateJettyXmlOptions(options);
  const headers = [
    ['X-FRAME-OPTIONS', 'SAMEORIGIN'],
    ['X-XSS-Protection', '1; mode=block'],
    ['X-Content-Type-Options', 'nosniff'],
    ['Cache-Control', 'no-store'],
  ]
    .map(
      ([name, value]) => `        <bean class="org.eclipse.jetty.rewrite.handler.HeaderPatternRule">
          <property name="pattern" value="*"/>
          <property name="name" value="${name}"/>
          <property name="value" value="${value}"/>
        </bean>`,
    )
    .join('\n');

  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- Rendered by @activemq-ha/manifests: the admin console only (no demo web apps, no /api). -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd">

  <bean id="httpConfig" class="org.eclipse.jetty.server.HttpConfiguration">
    <property name="sendServerVersion" value="false"/>
  </bean>

  <!-- Users come from a Secret; there is no built-in admin/admin. -->
  <bean id="securityLoginService" class="org.eclipse.jetty.security.HashLoginService">
    <property name="name" value="ActiveMQRealm"/>
    <property name="config" value="${options.realmFile}"/>
  </bean>

  <bean id="securityConstraint" class="org.eclipse.jetty.util.security.Constraint">
    <property name="name" value="BASIC"/>
    <property name="roles" value="admin"/>
    <property name="authenticate" value="true"/>
  </bean>
  <bean id="securityConstraintMapping" class="org.eclipse.jetty.security.ConstraintMapping">
    <property name="constraint" ref="securityConstraint"/>
    <property name="pathSpec" value="/*"/>
  </bean>

  <bean id="rewriteHandler" class="org.eclipse.jetty.rewrite.handler.RewriteHandler">
    <property name="rules">
      <list>
${headers}
      </list>
    </property>
  </bean>

  <bean id="secHandlerCollection" class="org.eclipse.jetty.server.handler.HandlerCollection">
    <property name="handlers">
      <list>
        <ref bean="rewriteHandler"/>
        <bean class="org.eclipse.jetty.webapp.WebAppContext">
          <property name="contextPath" value="/admin"/>
          <property name="resourceBase" value="\${activemq.home}/webapps/admin"/>
          <property name="logUrlOnStart" value="true"/>
        </bean>
        <bean id="defaultHandler" class="org.eclipse.jetty.server.handler.DefaultHandler">
          <property name="serveIcon" value="false"/>
          <property name="showContexts" value="false"/>
        </bean>
      </list>
    </property>
  </bean>

  <bean id="securityHandler" class="org.eclipse.jetty.security.ConstraintSecurityHandler">
    <property name="loginService" ref="securityLoginService"/>
    <property name="authenticator">
      <bean class="org.eclipse.jetty.security.authentication.BasicAuthenticator"/>
    </property>
    <property name="constraintMappings">
      <list>
        <ref bean="securityConstraintMapping"/>
      </list>
    </property>
    <property name="handler" ref="secHandlerCollection"/>
  </bean>

  <bean id="contexts" class="org.eclipse.jetty.server.handler.ContextHandlerCollection"/>

  <bean id="jettyPort" class="org.apache.activemq.web.WebConsolePort" init-method="start">
    <property name="host" value="${host}"/>
    <property name="port" value="${port}"/>
  </bean>

  <bean id="Server" depends-on="jettyPort" class="org.eclipse.jetty.server.Server" destroy-method="stop">
    <property name="handler">
      <bean id="handlers" class="org.eclipse.jetty.server.handler.HandlerCollection">
        <property name="handlers">
          <list>
            <ref bean="contexts"/>
            <ref bean="securityHandler"/>
          </list>
        </property>
      </bean>
    </property>
  </bean>

  <bean id="invokeConnectors" class="org.springframework.beans.factory.config.MethodInvokingFactoryBean">
    <property name="targetObject" ref="Server"/>
    <property name="targetMethod" value="setConnectors"/>
    <property name="arguments">
      <list>
        <bean id="Connector" class="org.eclipse.jetty.server.ServerConnector">
          <constructor-arg ref="Server"/>
          <constructor-arg>
            <list>
              <bean id="httpConnectionFactory" class="org.eclipse.jetty.server.HttpConnectionFactory">
                <constructor-arg ref="httpConfig"/>
              </bean>
            </list>
          </constructor-arg>
          <property name="host" value="${host}"/>
          <property name="port" value="${port}"/>
        </bean>
      </list>
    </property>
  </bean>

  <bean id="configureJetty" class="org.springframework.beans.factory.config.MethodInvokingFactoryBean">
    <property name="staticMethod" value="org.apache.activemq.web.config.JspConfigurer.configureJetty"/>
    <property name="arguments">
      <list>
        <ref bean="Server"/>
        <ref bean="secHandlerCollection"/>
      </list>
    </property>
  </bean>

  <bean id="invokeStart" class="org.springframework.beans.factory.config.MethodInvokingFactoryBean"
        depends-on="configureJetty, invokeConnectors">
    <property name="targetObject" ref="Server"/>
    <property name="targetMethod" value="start"/>
  </bean>
</beans>
`;
}
