import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from './errors.js';
import { parseStompFrame } from './stomp-frame.js';
import { stompProbe } from './stomp-probe.js';
import { closedPort, tcpFixture } from './testing/tcp-fixture.js';

const CONNECTED = 'CONNECTED\nversion:1.2\nserver:ActiveMQ/5.17.6\nheart-beat:0,0\n\n\0';

describe('stompProbe', () => {
  it('is ok on CONNECTED, sends credentials, then says DISCONNECT', async () => {
    await using server = await tcpFixture((s) => {
      s.once('data', () => s.write(CONNECTED));
    });
    const probe = stompProbe({ port: server.port, login: 'admin', passcode: 's3cret' });
    const result = await probe.run();
    expect(result).toMatchObject({
      probe: `stomp://127.0.0.1:${server.port}`,
      status: 'ok',
      info: { version: '1.2', server: 'ActiveMQ/5.17.6' },
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    await expect.poll(() => server.received[0]?.toString()).toContain('DISCONNECT');
    const connect = parseStompFrame(server.received[0]!)!;
    expect(connect.command).toBe('CONNECT');
    expect(connect.headers).toMatchObject({
      login: 'admin',
      passcode: 's3cret',
      'accept-version': '1.0,1.1,1.2',
    });
  });

  it('reassembles a CONNECTED frame split across packets, after heart-beat EOLs', async () => {
    await using server = await tcpFixture((s) => {
      s.once('data', () => {
        s.write('\n\nCONNEC');
        setTimeout(() => s.write('TED\nversion:1.1\n\n'), 20);
        setTimeout(() => s.write('\0'), 40);
      });
    });
    const result = await stompProbe({ port: server.port }).run();
    expect(result.status).toBe('ok');
    expect(result.info).toEqual({ version: '1.1' });
  });

  it('reports refused when nothing listens (a waiting slave)', async () => {
    const result = await stompProbe({ port: await closedPort() }).run();
    expect(result).toMatchObject({ status: 'refused', errorCode: 'ECONNREFUSED' });
  });

  it('reports a timeout when the peer accepts but never answers', async () => {
    await using server = await tcpFixture();
    const result = await stompProbe({ port: server.port, timeoutMs: 150 }).run();
    expect(result).toMatchObject({ status: 'timeout', errorCode: 'READ_TIMEOUT' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(140);
  });

  it('reports a protocol error with the broker message on ERROR', async () => {
    await using server = await tcpFixture((s) => {
      s.once('data', () => s.end('ERROR\nmessage:User name [x] or password is invalid.\n\n\0'));
    });
    const result = await stompProbe({ port: server.port, login: 'x', passcode: 'y' }).run();
    expect(result).toMatchObject({ status: 'protocol', errorCode: 'STOMP_ERROR' });
    expect(result.detail).toContain('password is invalid');
  });

  it('reports garbage as a protocol error without waiting for the timeout', async () => {
    await using server = await tcpFixture((s) => {
      s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n'));
    });
    const result = await stompProbe({ port: server.port, timeoutMs: 5000 }).run();
    expect(result).toMatchObject({ status: 'protocol', errorCode: 'MALFORMED' });
    expect(result.latencyMs).toBeLessThan(4000);
  });

  it('reports an early close as a protocol error', async () => {
    await using server = await tcpFixture((s) => s.end());
    const result = await stompProbe({ port: server.port }).run();
    expect(result).toMatchObject({ status: 'protocol', errorCode: 'EARLY_CLOSE' });
  });

  it('resolves an aborted run as error/ABORTED', async () => {
    await using server = await tcpFixture();
    const abort = new AbortController();
    const pending = stompProbe({ port: server.port, timeoutMs: 5000 }).run(abort.signal);
    setTimeout(() => abort.abort(), 20);
    expect(await pending).toMatchObject({ status: 'error', errorCode: 'ABORTED' });
  });

  it('rejects credentials that cannot be sent in a CONNECT frame', () => {
    expect(() => stompProbe({ port: 61613, passcode: 'a\nb' })).toThrow(InvalidOptionError);
    expect(() => stompProbe({ port: 0 })).toThrow(/port/);
  });
});
