/**
 * Broker-side redelivery: a message a consumer rejects (a STOMP NACK, a JMS poison ack, a
 * rollback past the client's own redeliveries) goes to ActiveMQ's `sendToDeadLetterQueue`, which
 * the `redeliveryPlugin` intercepts: it schedules the message back onto its destination after a
 * delay (so it needs `schedulerSupport`), and only after `maximumRedeliveries` sends it to the
 * dead-letter queue. So a client's `nack()` means "retry later", not "drop" or "retry now".
 */
export interface RedeliveryOptions {
  /** Redeliveries before the message goes to the dead-letter queue. @default 6 */
  readonly maximumRedeliveries?: number;
  /** Delay before the first redelivery; ActiveMQ refuses less than 1000. @default 1000 */
  readonly initialDelayMs?: number;
  /** Each further delay is the previous one times this. @default 2 */
  readonly backOffMultiplier?: number;
  /** Upper bound of one delay. @default 60000 */
  readonly maximumDelayMs?: number;
  /** Dead-letter queue of queue `Q` (and topic `T`) is `<prefix>Q` (`<prefix>T`). @default 'DLQ.' */
  readonly deadLetterQueuePrefix?: string;
}

export const DEFAULT_REDELIVERY = {
  maximumRedeliveries: 6,
  initialDelayMs: 1000,
  backOffMultiplier: 2,
  maximumDelayMs: 60_000,
  deadLetterQueuePrefix: 'DLQ.',
} as const satisfies Required<RedeliveryOptions>;

/** The `<redeliveryPlugin>` element, placed inside `<plugins>`. */
export function renderRedeliveryPluginXml(options: RedeliveryOptions): string {
  const o = { ...DEFAULT_REDELIVERY, ...options };
  const backOff = o.backOffMultiplier > 1;
  return `      <!-- A rejected message comes back after a delay; after ${o.maximumRedeliveries} redeliveries it goes to ${o.deadLetterQueuePrefix}<destination>. -->
      <redeliveryPlugin fallbackToDeadLetter="true" sendToDlqIfMaxRetriesExceeded="true">
        <redeliveryPolicyMap>
          <redeliveryPolicyMap>
            <defaultEntry>
              <redeliveryPolicy maximumRedeliveries="${o.maximumRedeliveries}" initialRedeliveryDelay="${o.initialDelayMs}" redeliveryDelay="${o.initialDelayMs}" useExponentialBackOff="${backOff}" backOffMultiplier="${o.backOffMultiplier}" maximumRedeliveryDelay="${o.maximumDelayMs}"/>
            </defaultEntry>
          </redeliveryPolicyMap>
        </redeliveryPolicyMap>
      </redeliveryPlugin>`;
}

/**
 * `<destinationPolicy>`: one dead-letter queue per destination instead of the shared `ActiveMQ.DLQ`.
 * processNonPersistent: ActiveMQ would otherwise drop a rejected non-persistent message (STOMP
 * SEND without `persistent:true`) silently instead of dead-lettering it.
 */
export function renderDeadLetterPolicyXml(options: RedeliveryOptions): string {
  const prefix = options.deadLetterQueuePrefix ?? DEFAULT_REDELIVERY.deadLetterQueuePrefix;
  const entry = (kind: 'queue' | 'topic') => `        <policyEntry ${kind}=">">
          <deadLetterStrategy>
            <individualDeadLetterStrategy queuePrefix="${prefix}" topicPrefix="${prefix}" useQueueForQueueMessages="true" useQueueForTopicMessages="true" processNonPersistent="true"/>
          </deadLetterStrategy>
        </policyEntry>`;
  return `
    <destinationPolicy>
      <policyMap>
        <policyEntries>
${entry('queue')}
${entry('topic')}
        </policyEntries>
      </policyMap>
    </destinationPolicy>
`;
}
