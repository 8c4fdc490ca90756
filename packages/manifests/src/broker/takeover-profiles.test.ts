import { describe, expect, it } from 'vitest';
import { renderBase } from '../render-base.js';
import { renderActivemqXml } from './activemq-xml.js';
import { TAKEOVER_PROFILE_NAMES, TAKEOVER_PROFILES } from './takeover-profiles.js';

const kahaDb = (xml: string) => /<kahaDB [^>]*>/.exec(xml)?.[0] ?? '';

describe('takeover profiles', () => {
  it('keep every profile safe: a keep-alive above 0 and below the acquire interval', () => {
    for (const name of TAKEOVER_PROFILE_NAMES) {
      const p = TAKEOVER_PROFILES[name];
      expect(p.lockKeepAlivePeriodMs).toBeGreaterThan(0);
      expect(p.lockKeepAlivePeriodMs).toBeLessThan(p.lockAcquireSleepIntervalMs);
    }
  });

  it('renders the fast profile by default', () => {
    const xml = renderActivemqXml({ dataDirectory: '/data' });
    expect(kahaDb(xml)).toContain('lockKeepAlivePeriod="50"');
    expect(kahaDb(xml)).toContain('checkpointInterval="250"');
    expect(xml).toContain('<shared-file-locker lockAcquireSleepInterval="100"/>');
  });

  it('renders a chosen profile, explicit settings winning over it', () => {
    const xml = renderActivemqXml({
      dataDirectory: '/data',
      takeover: 'gentle',
      checkpointIntervalMs: 2000,
    });
    expect(kahaDb(xml)).toContain('lockKeepAlivePeriod="500"');
    expect(kahaDb(xml)).toContain('checkpointInterval="2000"');
    expect(xml).toContain('lockAcquireSleepInterval="1000"');
  });

  it('renders further KahaDB attributes only when set', () => {
    expect(kahaDb(renderActivemqXml({ dataDirectory: '/d' }))).not.toMatch(
      /indexWriteBatchSize|preallocation/,
    );
    const xml = renderActivemqXml({
      dataDirectory: '/d',
      kahaDb: { indexWriteBatchSize: 100, enableIndexWriteAsync: true, preallocationScope: 'none' },
    });
    expect(kahaDb(xml)).toContain(
      'indexWriteBatchSize="100" enableIndexWriteAsync="true" preallocationScope="none"',
    );
  });

  it('rejects an unknown profile and bad numbers with the field named', () => {
    expect(() => renderActivemqXml({ dataDirectory: '/d', takeover: 'instant' as 'fast' })).toThrow(
      /takeover.*fast, balanced, gentle/,
    );
    expect(() => renderActivemqXml({ dataDirectory: '/d', checkpointIntervalMs: 0 })).toThrow(
      /checkpointIntervalMs/,
    );
    expect(() =>
      renderActivemqXml({ dataDirectory: '/d', kahaDb: { indexWriteBatchSize: -1 } }),
    ).toThrow(/kahaDb.indexWriteBatchSize/);
  });

  it('flows from the manifests options into the ConfigMap', () => {
    const xml = renderBase({
      broker: { takeover: 'balanced' },
      storage: { storageClassName: 'nfs-rwx' },
    })['config/activemq.xml']!;
    expect(kahaDb(xml)).toContain('lockKeepAlivePeriod="100"');
    expect(kahaDb(xml)).toContain('checkpointInterval="1000"');
    expect(xml).toContain('lockAcquireSleepInterval="250"');
  });
});
