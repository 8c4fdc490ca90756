import { describe, expect, it } from 'vitest';
import { FLAGS, flagForField, UsageError } from './flags.js';
import { parseCli } from './parse-cli.js';

describe('parseCli', () => {
  it('maps flags onto option trees', () => {
    const p = parseCli([
      'init',
      'out',
      '--replicas',
      '3',
      '--protocols',
      'openwire, stomp,amqp',
      '--no-console',
      '--service-annotation',
      'a=1',
      '--service-annotation=b=x=y',
      '--nfs-server',
      'nfs',
      '--agent-arg=--log-level=debug',
      '--namespace',
      'mq',
      '--broker-username',
      'svc',
      '--force',
    ]);
    expect(p.command).toBe('init');
    expect(p.positionals).toEqual(['out']);
    expect(p.base).toEqual({
      replicas: 3,
      protocols: ['openwire', 'stomp', 'amqp'],
      console: { enabled: false },
      service: { annotations: { a: '1', b: 'x=y' } },
      storage: { nfs: { server: 'nfs' } },
      agent: { extraArgs: ['--log-level=debug'] },
    });
    expect(p.overlay).toEqual({ namespace: 'mq', credentials: { brokerUsername: 'svc' } });
    expect(p.cli).toEqual({ force: true });
  });

  it('raises UsageErrors for what the user typed wrong', () => {
    expect(() => parseCli(['render', '--nope'])).toThrow(UsageError);
    expect(() => parseCli(['render', '--replicas'])).toThrow(UsageError);
    expect(() => parseCli(['render', '--replicas', '2.5'])).toThrow(/integer/);
    expect(() => parseCli(['render', '--service-annotation', 'novalue'])).toThrow(/key=value/);
    expect(() => parseCli(['apply'])).toThrow(/unknown command/);
    expect(() => parseCli(['render', '--overlay', 'x'])).toThrow(/only applies to: init/);
  });

  it('maps library fields back to flags', () => {
    expect(flagForField('replicas')?.name).toBe('replicas');
    expect(flagForField('storage.nfs.mountOptions[2]')?.name).toBe('nfs-mount-options');
    expect(flagForField('credentials.brokerPassword')?.name).toBe('broker-password-file');
    expect(flagForField('namespace')?.name).toBe('namespace');
  });

  it('documents every flag', () => {
    for (const flag of FLAGS) expect(flag.help.length, flag.name).toBeGreaterThan(10);
    expect(new Set(FLAGS.map((f) => f.name)).size).toBe(FLAGS.length);
  });
});
