import { xml } from './xml-escape.js';

/**
 * One rule of ActiveMQ's `authorizationPlugin`: which groups may read (consume, browse), write
 * (send) and admin (create the destination, which a first send or subscribe does) a queue or a
 * topic. Destinations use ActiveMQ's wildcards: `orders.>` (everything below), `orders.*` (one
 * level). A destination no entry matches is refused to everyone.
 */
export interface AuthorizationEntry {
  /** Exactly one of `queue` and `topic`. */
  readonly queue?: string;
  readonly topic?: string;
  /** @default [] */
  readonly read?: readonly string[];
  /** @default [] */
  readonly write?: readonly string[];
  /** @default [] */
  readonly admin?: readonly string[];
}

/**
 * Every JMS client reads advisory topics and many create them (temporary destinations, consumer
 * advisories): without this entry an authorized user still cannot connect with the JMS client.
 */
export const ADVISORY_TOPICS = 'ActiveMQ.Advisory.>';

/**
 * The `<authorizationPlugin>` element (inside `<plugins>`, after authentication): the entries as
 * given, then the advisory topics and temporary destinations for every group in `allGroups`.
 */
export function renderAuthorizationPluginXml(
  entries: readonly AuthorizationEntry[],
  allGroups: readonly string[],
): string {
  const all = { read: allGroups, write: allGroups, admin: allGroups };
  const rules = [...entries, { topic: ADVISORY_TOPICS, ...all }];
  return `      <authorizationPlugin>
        <map>
          <authorizationMap>
            <authorizationEntries>
${rules.map((e) => `              <authorizationEntry ${destination(e)}${acl(e)}/>`).join('\n')}
            </authorizationEntries>
            <!-- Temporary destinations (request/reply) for every group. -->
            <tempDestinationAuthorizationEntry>
              <tempDestinationAuthorizationEntry${acl(all)}/>
            </tempDestinationAuthorizationEntry>
          </authorizationMap>
        </map>
      </authorizationPlugin>`;
}

function destination(e: AuthorizationEntry): string {
  return e.queue !== undefined ? `queue="${xml(e.queue)}"` : `topic="${xml(e.topic ?? '')}"`;
}

/** Empty lists are left out: ActiveMQ then grants that operation to no one. */
function acl(e: Pick<AuthorizationEntry, 'read' | 'write' | 'admin'>): string {
  return (['read', 'write', 'admin'] as const)
    .filter((op) => (e[op]?.length ?? 0) > 0)
    .map((op) => ` ${op}="${xml((e[op] ?? []).join(','))}"`)
    .join('');
}
