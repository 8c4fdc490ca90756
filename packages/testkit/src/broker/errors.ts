/** Stable codes callers can branch on; messages say what went wrong and how to fix it. */
export type BrokerGroupErrorCode =
  /** No ActiveMQ Classic installation at ACTIVEMQ_HOME / the Debian package path. */
  | 'ACTIVEMQ_NOT_FOUND'
  /** No `java` at JAVA_HOME / on PATH. */
  | 'JAVA_NOT_FOUND'
  /** An option of `startBrokerGroup` is out of range (lock settings are checked by the template). */
  | 'INVALID_OPTION'
  /** Could not find enough free loopback ports. */
  | 'NO_FREE_PORTS'
  /** The JVM could not be spawned at all. */
  | 'SPAWN_FAILED'
  /** A broker's JVM exited while we waited for it to serve or to wait for the lock. */
  | 'BROKER_EXITED'
  /** A wait ran past its deadline. */
  | 'TIMEOUT'
  /** No broker with that id in the group. */
  | 'UNKNOWN_BROKER'
  /** Killing a broker whose JVM is not running. */
  | 'NOT_RUNNING'
  /** More than one broker accepts connections: the shared lock failed. */
  | 'SPLIT_BRAIN'
  /** A broker expected to wait for the lock started serving instead. */
  | 'NOT_SLAVE'
  /** Waiting for an active broker while none (of the candidates) runs. */
  | 'NO_BROKER_RUNNING'
  /** The group was stopped; it cannot start or restart brokers any more. */
  | 'GROUP_STOPPED';

export interface BrokerGroupErrorOptions extends ErrorOptions {
  /** The broker the error is about, e.g. `broker-1`. */
  readonly brokerId?: string;
}

export class BrokerGroupError extends Error {
  override readonly name = 'BrokerGroupError';
  readonly brokerId: string | undefined;
  constructor(
    readonly code: BrokerGroupErrorCode,
    message: string,
    options: BrokerGroupErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.brokerId = options.brokerId;
  }
}
