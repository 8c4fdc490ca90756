import { describe, expect, it } from 'vitest';
import { brokerLogState, standbyReadiness } from './broker-log-state.js';

// Lines as ActiveMQ 6.1.8 writes them (official log4j2 pattern `%d | %-5p | %m | %c | %t`).
const at = (message: string, logger = 'org.apache.activemq.broker.BrokerService') =>
  `2026-12-01T23:48:04.398+0000 | INFO  | ${message} | ${logger} | main`;
const START = at('Using Persistence Adapter: KahaDBPersistenceAdapter[/shared/kahadb]');
const WAITING = at(
  'Database /shared/kahadb/lock is locked by another server. This broker is now in slave mode waiting a lock to be acquired',
  'org.apache.activemq.store.SharedFileLocker',
);
const RETRY =
  "2026-12-01T21:03:24.905+0000 | DEBUG | Database /g/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/g/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main";
const LOCKED = at('Persistence Adapter successfully started');
const STARTED = at('Apache ActiveMQ 6.1.8 (activemq, ID:vm-1-2-0:1) started');
const SHUTDOWN = at('Apache ActiveMQ 6.1.8 (activemq, ID:vm-1-2-0:1) is shutting down');

describe('brokerLogState', () => {
  it('follows a slave from its start to the lock wait', () => {
    expect(brokerLogState('')).toBe('unknown');
    expect(brokerLogState(`${START}\n`)).toBe('starting');
    expect(brokerLogState([START, WAITING, ''].join('\n'))).toBe('waiting');
    expect(brokerLogState([START, WAITING, RETRY, RETRY].join('\n'))).toBe('waiting');
  });

  it('follows the takeover to serving and a shutdown after it', () => {
    expect(brokerLogState([START, WAITING, LOCKED].join('\n'))).toBe('recovering');
    expect(brokerLogState([START, WAITING, LOCKED, STARTED].join('\n'))).toBe('serving');
    expect(brokerLogState([STARTED, SHUTDOWN].join('\n'))).toBe('stopped');
  });

  it('reads a restart from the newest start: an old wait does not count for a new JVM', () => {
    expect(brokerLogState([START, WAITING, SHUTDOWN, START].join('\n'))).toBe('starting');
  });

  it('ignores unrelated lines and stack traces after the telling one', () => {
    const text = [WAITING, at('Store limit is 102400 mb'), '\tat org.apache.Foo(Foo.java:1)'].join(
      '\n',
    );
    expect(brokerLogState(text)).toBe('waiting');
  });
});

describe('standbyReadiness', () => {
  it('is ready while the broker waits for the lock or recovers the store', () => {
    expect(standbyReadiness('waiting', 'standby').ready).toBe(true);
    expect(standbyReadiness('recovering', 'standby').ready).toBe(true);
  });

  it('is not ready before the lock wait, after a stop, or with no log', () => {
    for (const state of ['starting', 'stopped', 'unknown'] as const) {
      expect(standbyReadiness(state, 'standby')).toMatchObject({ ready: false });
    }
    expect(standbyReadiness('starting', 'standby').reason).toContain('not yet waiting');
  });

  it('trusts a "started" log only while the probe finds the broker serving', () => {
    expect(standbyReadiness('serving', 'leader').ready).toBe(true);
    expect(standbyReadiness('serving', 'standby')).toEqual({
      ready: false,
      reason: 'broker log says serving but the probe finds it standby: the JVM is gone or stalled',
    });
  });
});
