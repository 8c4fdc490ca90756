import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { requireAgentBundle } from './agent-entrypoint.js';

function agentPackageVersion(): string {
  const url = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(url, 'utf8')) as { version: string }).version;
}

function runAgent(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [requireAgentBundle(), ...args], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('activemq-ha-agent CLI', () => {
  it('prints help with every flag and exits 0', () => {
    const r = runAgent(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--pod-name\s+POD_NAME/);
    expect(r.stdout).toMatch(/Exit codes/);
  });

  it.each(['--version', '-v'])('prints the package version for %s and exits 0', (flag) => {
    const r = runAgent([flag]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(agentPackageVersion());
  });

  it.each([
    {
      name: 'missing POD_NAME',
      args: [],
      env: { POD_NAMESPACE: 'mq' },
      message: /POD_NAME \(or --pod-name\).*not set/,
    },
    {
      name: 'port out of range',
      args: ['--http-port', '70000'],
      env: { POD_NAME: 'p' },
      message: /--http-port.*<=65535.*"70000"/,
    },
    {
      name: 'unknown probe',
      args: [],
      env: { POD_NAME: 'p', ACTIVEMQ_HA_PROBE: 'amqp' },
      message: /unknown probe "amqp"/,
    },
    {
      name: 'unknown flag',
      args: ['--leader', 'x'],
      env: { POD_NAME: 'p' },
      message: /--leader.*--help/,
    },
  ])('exits 2 naming the setting on bad config: $name', ({ args, env, message }) => {
    const r = runAgent(args, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('exits 2 with a clear message when the kubeconfig cannot be loaded', () => {
    const r = runAgent(['--kubeconfig', '/nonexistent/kubeconfig', '--http-port', '0'], {
      POD_NAME: 'p',
      POD_NAMESPACE: 'mq',
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/cannot load kubeconfig \/nonexistent\/kubeconfig/);
    expect(r.stdout).toMatch(/"code":"KUBECONFIG_INVALID"/);
  });
});
