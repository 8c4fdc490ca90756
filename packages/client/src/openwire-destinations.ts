import type { Destination } from '@activemq-ha/openwire';
import { invalidOption } from './errors.js';

/**
 * Destination names in the client's (STOMP's) vocabulary, `/queue/x`, `/topic/x`,
 * `/temp-queue/x`, `/temp-topic/x`, as OpenWire destinations and back.
 *
 * A temporary destination's physical name must start with the id of the connection that owns
 * it (`<connectionId>:<n>`): the broker refuses a consumer on someone else's. The HA client
 * keeps one connection id across failovers, so `/temp-queue/replies` is the same physical
 * destination on every connection and can be re-created after a failover under its old name.
 * A name that already has a colon (`/temp-queue/ID:host-1:2:1`, a reply-to a Java client set)
 * is someone else's temporary destination and is used as it is.
 */
const PREFIXES = [
  ['/queue/', 'ActiveMQQueue'],
  ['/topic/', 'ActiveMQTopic'],
  ['/temp-queue/', 'ActiveMQTempQueue'],
  ['/temp-topic/', 'ActiveMQTempTopic'],
] as const;

export function toOpenWireDestination(name: string, connectionId: string): Destination {
  for (const [prefix, type] of PREFIXES) {
    if (!name.startsWith(prefix)) continue;
    const rest = name.slice(prefix.length);
    if (rest.length === 0) break;
    const temporary = type === 'ActiveMQTempQueue' || type === 'ActiveMQTempTopic';
    return {
      type,
      physicalName: temporary && !rest.includes(':') ? `${connectionId}:${rest}` : rest,
    };
  }
  throw invalidOption(
    'destination',
    `"${name}" is not a destination; use /queue/<name>, /topic/<name>, /temp-queue/<name> or /temp-topic/<name>`,
  );
}

export function fromOpenWireDestination(d: Destination, connectionId: string): string {
  const prefix = PREFIXES.find(([, type]) => type === d.type)?.[0] ?? '/queue/';
  const own = `${connectionId}:`;
  const temporary = d.type === 'ActiveMQTempQueue' || d.type === 'ActiveMQTempTopic';
  const name = d.physicalName ?? '';
  return temporary && name.startsWith(own)
    ? `${prefix}${name.slice(own.length)}`
    : `${prefix}${name}`;
}

/** A temporary destination this client owns (it must create it on each connection). */
export function isOwnTemporary(d: Destination, connectionId: string): boolean {
  return (
    (d.type === 'ActiveMQTempQueue' || d.type === 'ActiveMQTempTopic') &&
    (d.physicalName ?? '').startsWith(`${connectionId}:`)
  );
}
