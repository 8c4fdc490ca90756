import type { ConnectionControl } from '@activemq-ha/openwire';
import { parseServerUri, type ServerAddress, sameServer } from './server-address.js';

/**
 * Which of the broker's reconnect hints the client follows (OpenWire's ConnectionControl), in
 * the terms of ActiveMQ's failover transport: `reconnectTo` is its `reconnectSupported`,
 * `connectedBrokers` its `updateURIsSupported`. Both default to true there, and here.
 */
export interface ReconnectHintOptions {
  /**
   * Follow `ConnectionControl.reconnectTo`: leave the broker and dial the named one first.
   * ActiveMQ: `reconnectSupported`. @default true
   */
  readonly reconnectTo?: boolean;
  /**
   * Follow `ConnectionControl.connectedBrokers` when the broker also says `rebalanceConnection`
   * (its connector's `rebalanceClusterClients`): leave the broker when the list's first is
   * another one, and dial the list first. ActiveMQ: `updateURIsSupported`. @default true
   */
  readonly connectedBrokers?: boolean;
}

export type ResolvedReconnectHints = Required<ReconnectHintOptions>;

export const RECONNECT_HINT_DEFAULTS: ResolvedReconnectHints = {
  reconnectTo: true,
  connectedBrokers: true,
};

/** What to do with one ConnectionControl. */
export type ConnectionControlDecision =
  /** Nothing to act on (a hint switched off, a list that names this broker first, none). */
  | { readonly type: 'stay'; readonly refused: readonly string[] }
  /** The broker asked the client to go (`close`/`exit`): reconnect through discovery. */
  | { readonly type: 'leave'; readonly why: string; readonly refused: readonly string[] }
  /** Leave and dial `servers` first in the next round; discovery's servers follow. */
  | {
      readonly type: 'redirect';
      readonly servers: readonly ServerAddress[];
      readonly why: string;
      readonly refused: readonly string[];
    };

/**
 * Reads the broker's ConnectionControl as ActiveMQ's `FailoverTransport.handleConnectionControl`
 * does, with four differences that keep a hint from weakening the connection:
 * - a `reconnectTo` naming the broker the client is on is nothing to do;
 * - a hinted address is dialled first in one round only; discovery's servers follow in the same
 *   round, so a hint that cannot be reached costs one failed connect, not the outage;
 * - `connectedBrokers` without `rebalanceConnection` is not kept for later failovers (Java adds
 *   it to its list): in a master/slave group the list names the broker that just died, and a
 *   dead pod's address can cost a whole connect timeout;
 * - a hint that is not an OpenWire address, names no host (`0.0.0.0`, what a connector bound to
 *   every interface publishes by default), or would drop TLS is refused (listed in `refused`).
 *   A hinted URI's query (`?wireFormat…`, the connector's options) is not applied.
 */
export function readConnectionControl(
  control: ConnectionControl,
  current: ServerAddress,
  policy: ResolvedReconnectHints,
): ConnectionControlDecision {
  const refused: string[] = [];
  if (control.close || control.exit) {
    return { type: 'leave', why: control.exit ? 'asked to exit' : 'asked to close', refused };
  }
  const reconnectTo = control.reconnectTo?.trim() ?? '';
  if (reconnectTo !== '' && policy.reconnectTo) {
    const server = hintedServer(reconnectTo, current, refused);
    // Already there: Java would reconnect to it anyway; a broker naming itself on every
    // connection would make that a reconnect storm.
    if (server && !sameServer(server, current)) {
      return { type: 'redirect', servers: [server], why: `reconnectTo ${reconnectTo}`, refused };
    }
  }
  const list = control.connectedBrokers?.trim() ?? '';
  if (list !== '' && policy.connectedBrokers && control.rebalanceConnection) {
    const servers: ServerAddress[] = [];
    for (const uri of list.split(',')) {
      if (uri.trim() === '') continue;
      const server = hintedServer(uri.trim(), current, refused);
      if (server && !servers.some((s) => sameServer(s, server))) servers.push(server);
    }
    const [first] = servers;
    if (first && !sameServer(first, current)) {
      return { type: 'redirect', servers, why: `rebalance to ${list}`, refused };
    }
  }
  return { type: 'stay', refused };
}

/**
 * The next round's servers: the hinted ones first, then discovery's without those already
 * named (a hint naming a listed server moves it to the front).
 */
export function hintedRound(
  hinted: readonly ServerAddress[],
  discovered: readonly ServerAddress[],
): ServerAddress[] {
  return [...hinted, ...discovered.filter((d) => !hinted.some((h) => sameServer(h, d)))];
}

const UNSPECIFIED = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

function hintedServer(
  uri: string,
  current: ServerAddress,
  refused: string[],
): ServerAddress | undefined {
  let server: ServerAddress;
  try {
    // The connector's options (`?…`) are the broker's business, not the dial's.
    server = parseServerUri(uri.replace(/\?.*$/, ''), 'ConnectionControl');
  } catch (error) {
    refused.push(`${uri}: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  if (server.protocol !== 'openwire') {
    refused.push(`${uri}: not an OpenWire address`);
    return undefined;
  }
  if (UNSPECIFIED.has(server.host)) {
    refused.push(`${uri}: names no host (a connector bound to every interface)`);
    return undefined;
  }
  if (current.tls && !server.tls) {
    refused.push(`${uri}: would leave TLS for a plain connection`);
    return undefined;
  }
  return server;
}
