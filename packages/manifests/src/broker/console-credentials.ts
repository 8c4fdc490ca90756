/**
 * `credentials.properties`, which the web console's own Spring context
 * (webapps/admin/WEB-INF/webconsole-embedded.xml) reads for the JMS login it browses, sends and
 * purges with. The image's file says `system`/`manager`, a user our broker does not have. Values
 * may be `${NAME}` placeholders: that context's PropertyPlaceholderConfigurer resolves them from
 * the environment, so the password stays in the Secret.
 */
export function renderConsoleCredentials(user: { username: string; password: string }): string {
  const property = (v: string) => v.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');
  return `${[
    '# Rendered by @activemq-ha/manifests: the web console logs in to the broker as this user.',
    `activemq.username=${property(user.username)}`,
    `activemq.password=${property(user.password)}`,
  ].join('\n')}\n`;
}
