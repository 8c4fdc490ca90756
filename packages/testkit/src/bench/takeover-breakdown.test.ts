import { describe, expect, it } from 'vitest';
import { parseBrokerLog, takeoverBreakdown } from './takeover-breakdown.js';

// Captured from broker-0 of a bench:takeover run (ActiveMQ 5.17.2, Debian; acquire 100 ms,
// keep-alive 50 ms, SharedFileLocker at DEBUG), the old master SIGKILLed at 21:03:25.430.
const TAKEOVER_LOG = [
  "2026-12-01T21:03:24.905+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  "2026-12-01T21:03:25.007+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  "2026-12-01T21:03:25.108+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  "2026-12-01T21:03:25.217+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  "2026-12-01T21:03:25.330+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  "2026-12-01T21:03:25.442+0000 | DEBUG | Database /tmp/g/shared/kahadb/lock is locked... waiting 0 seconds for the database to be unlocked. Reason: java.io.IOException: File '/tmp/g/shared/kahadb/lock' could not be locked. | org.apache.activemq.store.SharedFileLocker | main",
  '2026-12-01T21:03:26.058+0000 | INFO  | Page File: /tmp/g/shared/kahadb/db.data. Recovering pageFile free list due to prior unclean shutdown.. | org.apache.activemq.store.kahadb.disk.page.PageFile | KahaDB Index Free Page Recovery',
  '2026-12-01T21:03:26.112+0000 | INFO  | Page File: /tmp/g/shared/kahadb/db.data. Recovered pageFile free list of size: 0 | org.apache.activemq.store.kahadb.disk.page.PageFile | KahaDB Index Free Page Recovery',
  '2026-12-01T21:03:26.122+0000 | INFO  | KahaDB is version 7 | org.apache.activemq.store.kahadb.MessageDatabase | main',
  '2026-12-01T21:03:26.518+0000 | INFO  | Recovering from the journal @1:1814912 | org.apache.activemq.store.kahadb.MessageDatabase | main',
  '2026-12-01T21:03:26.654+0000 | INFO  | Recovery replayed 3 operations from the journal in 0.413 seconds. | org.apache.activemq.store.kahadb.MessageDatabase | main',
  '2026-12-01T21:03:26.764+0000 | INFO  | PListStore:[/tmp/g/shared/activemq/tmp_storage] started | org.apache.activemq.store.kahadb.plist.PListStoreImpl | main',
  '2026-12-01T21:03:27.285+0000 | INFO  | Apache ActiveMQ 5.17.2 (activemq, ID:vm-44245-1796159006895-0:1) is starting | org.apache.activemq.broker.BrokerService | main',
  '2026-12-01T21:03:27.796+0000 | INFO  | Listening for connections at: stomp://localhost:30258?maximumConnections=1000&wireFormat.maxFrameSize=104857600 | org.apache.activemq.transport.TransportServerThreadSupport | main',
  '2026-12-01T21:03:27.796+0000 | INFO  | Connector stomp started | org.apache.activemq.broker.TransportConnector | main',
  '2026-12-01T21:03:27.797+0000 | INFO  | Apache ActiveMQ 5.17.2 (activemq, ID:vm-44245-1796159006895-0:1) started | org.apache.activemq.broker.BrokerService | main',
  '2026-12-01T21:03:27.797+0000 | INFO  | For help or more information please see: http://activemq.apache.org | org.apache.activemq.broker.BrokerService | main',
  '2026-12-01T21:03:27.814+0000 | WARN  | Store limit is 102400 mb (current store usage is 1 mb). The data directory: /tmp/g/shared/kahadb only has 79021 mb of usable space. - resetting to maximum available disk space: 79021 mb | org.apache.activemq.broker.BrokerService | main',
].join('\n');
const killedAt = Date.parse('2026-12-01T21:03:25.430Z');
const settings = { lockAcquireSleepIntervalMs: 100, lockKeepAlivePeriodMs: 50 };

describe('parseBrokerLog', () => {
  it('reads the timestamp with its offset, the level and the message', () => {
    const [first] = parseBrokerLog(TAKEOVER_LOG.split('\n').slice(-3).join('\n'));
    expect(first).toEqual({
      at: Date.parse('2026-12-01T21:03:27.797Z'),
      level: 'INFO',
      message: 'Apache ActiveMQ 5.17.2 (activemq, ID:vm-44245-1796159006895-0:1) started',
    });
  });

  it('skips lines that are not log records (stack traces, banners)', () => {
    const text = 'java.io.IOException: boom\n\tat org.apache.Foo(Foo.java:1)\n';
    expect(parseBrokerLog(text)).toEqual([]);
  });
});

describe('takeoverBreakdown', () => {
  it('splits a takeover into lock detection, keep-alive, store open, replay and start', () => {
    const b = takeoverBreakdown(TAKEOVER_LOG, { killedAt, ...settings });
    // Last failed attempt 25.442 + one acquire interval.
    expect(b.lockAcquiredAt).toBe(Date.parse('2026-12-01T21:03:25.542Z'));
    expect(b.lockDetectionMs).toBe(112);
    expect(b.keepAliveWaitMs).toBe(50);
    // Replay ended 26.654 after 0.413 s, so it began 26.241; serving could begin at 25.592.
    expect(b.storeOpenMs).toBe(649);
    expect(b.replayMs).toBe(413);
    expect(b.replayedOperations).toBe(3);
    expect(b.brokerStartMs).toBe(1143);
    expect(b.startedMs).toBe(2367);
  });

  it('counts a failed attempt from just before the kill: the next one won', () => {
    const b = takeoverBreakdown(TAKEOVER_LOG, {
      killedAt: Date.parse('2026-12-01T21:03:25.500Z'),
      ...settings,
    });
    expect(b.lockAcquiredAt).toBe(Date.parse('2026-12-01T21:03:25.542Z'));
    expect(b.lockDetectionMs).toBe(42);
  });

  it('ignores what was logged before the kill, such as an earlier start', () => {
    const earlier = [
      '2026-12-01T21:03:10.609+0000 | INFO  | Recovery replayed 34 operations from the journal in 0.322 seconds. | org.apache.activemq.store.kahadb.MessageDatabase | main',
      '2026-12-01T21:03:10.620+0000 | INFO  | Apache ActiveMQ 5.17.2 (activemq, ID:vm-1:1) started | org.apache.activemq.broker.BrokerService | main',
    ];
    const b = takeoverBreakdown([...earlier, TAKEOVER_LOG].join('\n'), { killedAt, ...settings });
    expect(b.replayedOperations).toBe(3);
    expect(b.startedMs).toBe(2367);
  });

  it('leaves the lock moment unknown without the retry lines, and the rest still measured', () => {
    const infoOnly = TAKEOVER_LOG.split('\n')
      .filter((l) => !l.includes('| DEBUG |'))
      .join('\n');
    const b = takeoverBreakdown(infoOnly, { killedAt, ...settings });
    expect(b.lockAcquiredAt).toBeUndefined();
    expect(b.lockDetectionMs).toBeUndefined();
    expect(b.storeOpenMs).toBeUndefined();
    expect(b.replayMs).toBe(413);
    expect(b.startedMs).toBe(2367);
  });

  it('reports nothing replayed when the broker started without a replay line', () => {
    const noReplay = TAKEOVER_LOG.split('\n')
      .filter((l) => !l.includes('Recovery replayed'))
      .join('\n');
    const b = takeoverBreakdown(noReplay, { killedAt, ...settings });
    expect(b.replayMs).toBe(0);
    expect(b.replayedOperations).toBe(0);
  });

  it('has no start figures while the broker has not started yet', () => {
    const partial = TAKEOVER_LOG.split('\n').slice(0, 9).join('\n');
    const b = takeoverBreakdown(partial, { killedAt, ...settings });
    expect(b.startedAt).toBeUndefined();
    expect(b.startedMs).toBeUndefined();
    expect(b.brokerStartMs).toBeUndefined();
    expect(b.replayMs).toBeUndefined();
  });
});
