import { describe, expect, it } from 'vitest';
import { configHelp, loadConfig } from './config.js';
import { ConfigError } from './errors.js';

const env = { POD_NAME: 'activemq-0', POD_NAMESPACE: 'mq' };

function problemsOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('rejects a Lease name that is not a DNS name, and a renewal slower than a third of the duration', () => {
    expect(() => loadConfig(['--lease-name', 'app.kubernetes.io/name in (a,b)'], env)).toThrow(
      /--lease-name: must be a DNS subdomain/,
    );
    expect(() =>
      loadConfig(['--lease-duration-seconds', '6', '--lease-renew-interval-ms', '2500'], env),
    ).toThrow(/more than a third of the Lease duration/);
    expect(() => loadConfig(['--probe-freshness-ms', '50'], env)).toThrow(/--probe-freshness-ms/);
    expect(() => loadConfig(['--on-unknown', 'flap'], env)).toThrow(/--on-unknown/);
  });

  it('takes the downward API from the environment and fills defaults', () => {
    const config = loadConfig([], env);
    expect(config).toMatchObject({
      podName: 'activemq-0',
      namespace: 'mq',
      labelKey: 'leader',
      leaderValue: 'yes',
      standbyValue: 'no',
      probeIntervalMs: 100,
      standbyProbeIntervalMs: 25,
      httpPort: 8080,
      leaseName: 'activemq-leader',
      leaseDurationSeconds: 8,
      splitBrainStopBroker: true,
      probes: ['openwire'],
    });
  });

  it('lets flags win over the environment', () => {
    const config = loadConfig(
      [
        '--pod-name',
        'p1',
        '--http-port',
        '0',
        '--probe',
        'stomp,tcp',
        '--lease-name',
        'orders-leader',
      ],
      { ...env, ACTIVEMQ_HA_HTTP_PORT: '9000' },
    );
    expect(config).toMatchObject({
      podName: 'p1',
      httpPort: 0,
      probes: ['stomp', 'tcp'],
      leaseName: 'orders-leader',
    });
  });

  it('reads booleans from the environment as words, not truthiness', () => {
    const stop = (v: string) =>
      loadConfig([], { ...env, ACTIVEMQ_HA_SPLIT_BRAIN_STOP_BROKER: v }).splitBrainStopBroker;
    expect(stop('false')).toBe(false);
    expect(stop('yes')).toBe(true);
    expect(loadConfig([], env).probeTls).toBe(false);
    expect(loadConfig(['--probe-tls=true'], env).probeTls).toBe(true);
  });

  it('names every bad setting at once', () => {
    const problems = problemsOf(() =>
      loadConfig(['--http-port', '70000', '--probe', 'stomp,ping'], { POD_NAMESPACE: 'mq' }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(/POD_NAME \(or --pod-name\).*not set/);
    expect(problems.join('\n')).toMatch(/--http-port.*"70000"/);
    expect(problems.join('\n')).toMatch(/unknown probe "ping"/);
  });

  it('rejects unknown flags with a pointer to --help', () => {
    expect(problemsOf(() => loadConfig(['--colour'], env))[0]).toMatch(/--colour.*--help/);
  });

  it('documents every flag with its environment variable and default', () => {
    expect(configHelp()).toMatch(
      /--probe-interval-ms\s+ACTIVEMQ_HA_PROBE_INTERVAL_MS.*\(default: 100\)/,
    );
  });
});
