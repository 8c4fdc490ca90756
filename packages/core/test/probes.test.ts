import { allOf, anyOf, openwireProbe, stompProbe, tcpProbe } from '@activemq-ha/core';
import { type BrokerGroup, startBrokerGroup } from '@activemq-ha/testkit';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';

const USER = { username: 'probe', password: 'probe-secret' };

describe('probes against a real shared-store broker group', () => {
  let group: BrokerGroup;

  beforeAll(async () => {
    group = await startBrokerGroup({ size: 2, users: [USER] });
  });
  afterAll(async () => {
    await group?.stop();
  });

  function probesOf(index: number, timeoutMs = 3000) {
    const broker = group.brokers[index]!;
    return {
      tcp: tcpProbe({ port: broker.ports.openwire, timeoutMs }),
      stomp: stompProbe({
        port: broker.ports.stomp,
        login: USER.username,
        passcode: USER.password,
        timeoutMs,
      }),
      openwire: openwireProbe({ port: broker.ports.openwire, timeoutMs }),
    };
  }

  it('the master answers tcp, stomp (with credentials) and openwire', async () => {
    onTestFailed(group.dumpLogs);
    const p = probesOf(0);
    const [tcp, stomp, openwire] = await Promise.all([
      p.tcp.run(),
      p.stomp.run(),
      p.openwire.run(),
    ]);
    expect(tcp.status).toBe('ok');
    expect(stomp).toMatchObject({ status: 'ok' });
    expect(stomp.info?.server).toMatch(/ActiveMQ/);
    expect(openwire).toMatchObject({ status: 'ok' });
    expect(openwire.info?.version).toBeGreaterThanOrEqual(12);
    expect(openwire.info?.providerName).toBe('ActiveMQ');
  });

  it('the waiting slave is refused on every protocol', async () => {
    onTestFailed(group.dumpLogs);
    const p = probesOf(1);
    const results = await Promise.all([p.tcp.run(), p.stomp.run(), p.openwire.run()]);
    expect(results.map((r) => r.status)).toEqual(['refused', 'refused', 'refused']);
    expect((await anyOf(p.stomp, p.openwire).run()).status).toBe('refused');
  });

  it('bad STOMP credentials give a protocol error, not ok and not refused', async () => {
    const broker = group.brokers[0]!;
    const result = await stompProbe({
      port: broker.ports.stomp,
      login: USER.username,
      passcode: 'wrong',
      timeoutMs: 3000,
    }).run();
    expect(result.status).toBe('protocol');
    expect(result.errorCode).toBe('STOMP_ERROR');
  });

  it('composed probes: allOf ok on the master; stomp/openwire probing leaves no WARN behind', async () => {
    onTestFailed(group.dumpLogs);
    // A bare TCP connect on the OpenWire port may log "Could not accept connection" (closed before
    // the WireFormatInfo exchange); the protocol probes say goodbye properly and must not.
    const noisy = () =>
      group
        .logs({ tailLines: 100_000 })
        .split('\n')
        .filter((l) => /WARN.*(Transport Connection|Could not accept)|EOFException/.test(l))
        // The previous test's refused login is logged asynchronously and may land meanwhile.
        .filter((l) => !l.includes('password is invalid'));
    const before = noisy();
    const p = probesOf(0);
    const both = allOf(p.stomp, p.openwire);
    for (let i = 0; i < 20; i++) {
      const r = await both.run();
      expect(r.status, JSON.stringify(r)).toBe('ok');
    }
    // Warnings are logged asynchronously: one more exchange orders us after them.
    expect((await both.run()).status).toBe('ok');
    expect(noisy()).toEqual(before);
  });

  it('after a failover the roles of the probes swap', async () => {
    onTestFailed(group.dumpLogs);
    const { to } = await group.failover('SIGKILL');
    expect(to.index).toBe(1);
    const p1 = probesOf(1);
    const p0 = probesOf(0);
    expect((await allOf(p1.stomp, p1.openwire).run()).status).toBe('ok');
    expect((await anyOf(p0.stomp, p0.openwire).run()).status).toBe('refused');
  });
});
