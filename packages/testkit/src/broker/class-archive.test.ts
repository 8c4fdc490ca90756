import { describe, expect, it } from 'vitest';
import { parseJvmBuild } from './class-archive.js';

describe('parseJvmBuild', () => {
  it('names the VM build of `java -version`, safe for a file name', () => {
    const debian = [
      'openjdk version "17.0.15" 2025-04-15',
      'OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)',
      'OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)',
    ].join('\n');
    expect(parseJvmBuild(debian)).toBe('17.0.15-6-Debian-1deb12u1');
    const temurin =
      'OpenJDK 64-Bit Server VM Temurin-25.0.3+9 (build 25.0.3+9-LTS, mixed mode, sharing)';
    expect(parseJvmBuild(temurin)).toBe('25.0.3-9-LTS');
  });

  it('is undefined for output without a VM line', () => {
    expect(parseJvmBuild('Error: could not find libjava.so')).toBeUndefined();
  });
});
