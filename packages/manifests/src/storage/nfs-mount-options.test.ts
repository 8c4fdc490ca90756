import { describe, expect, it } from 'vitest';
import { unsafeNfsMountOption } from './nfs-mount-options.js';

describe('unsafeNfsMountOption', () => {
  it('accepts NFSv4 hard mounts', () => {
    for (const o of [
      'nfsvers=4.1',
      'vers=4',
      'nfsvers=4.2',
      'hard',
      'timeo=600',
      'local_lock=none',
      'noresvport',
    ]) {
      expect(unsafeNfsMountOption(o), o).toBeUndefined();
    }
  });

  it('explains why lock-breaking options are refused', () => {
    expect(unsafeNfsMountOption('vers=3')).toMatch(/never timed out/);
    expect(unsafeNfsMountOption('NFSVERS=3.0')).toMatch(/never timed out/);
    expect(unsafeNfsMountOption('nfsvers=2')).toMatch(/never timed out/);
    expect(unsafeNfsMountOption('nolock')).toMatch(/local/);
    expect(unsafeNfsMountOption('local_lock=posix')).toMatch(/local/);
    expect(unsafeNfsMountOption('soft')).toMatch(/hard/);
  });
});
