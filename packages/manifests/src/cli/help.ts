import { FLAGS } from './flags.js';

/** The whole help: commands, every flag with its default, credentials, exit codes. */
export function helpText(): string {
  const rows = FLAGS.map((flag) => {
    const short = flag.short ? `-${flag.short}, ` : '    ';
    const value = flag.value ? ` <${flag.value}>` : '';
    const scope = flag.commands ? `(${flag.commands.join(', ')}) ` : '';
    return `  ${`${short}--${flag.name}${value}`.padEnd(38)} ${scope}${flag.help}`;
  });
  return `Usage: activemq-ha-manifests <command> [flags]

Kustomize manifests for a highly available ActiveMQ Classic broker group (shared-store
master/slave, leader-labelling agent), secure by default.

Commands:
  init <dir>   Write <dir>/base/ (the kustomize base) and <dir>/overlays/<overlay>/ (namespace,
               credentials Secret). Needs --nfs-server/--nfs-path or --storage-class. Apply with:
               kubectl apply -k <dir>/overlays/example/namespace; kubectl apply -k <dir>/overlays/example
               The same command again changes nothing (passwords are reused).
  render       Print the objects that overlay would build, as multi-document YAML, on stdout
               (computed directly; no kustomize needed).

Flags:
${rows.join('\n')}

Credentials: there are no default passwords. Each one comes from its --*-password-file, else from
$ACTIVEMQ_HA_BROKER_PASSWORD / $ACTIVEMQ_HA_CONSOLE_PASSWORD, else it is generated at random;
stderr says where a generated one is written (it is never printed).

The default agent image is not published: build and push it from a checkout of the repository,
  docker build -f packages/agent/Dockerfile -t <registry>/activemq-ha/agent:<version> .
and pass --agent-image <registry>/activemq-ha/agent.

Exit codes: 0 success, 1 runtime failure (e.g. files would be overwritten), 2 usage error.
`;
}
