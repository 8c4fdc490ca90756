import { describe, expect, it } from 'vitest';
import { localHostForPodIP, podIPForLocalHost } from './pod-network.js';

describe('the stand-in pod network', () => {
  it('maps loopback hosts to pod IPs and back', () => {
    for (const host of ['127.0.0.1', '127.0.3.7']) {
      const podIP = podIPForLocalHost(host);
      expect(podIP.startsWith('10.244.')).toBe(true);
      expect(localHostForPodIP(podIP)).toBe(host);
    }
  });

  it('leaves non-loopback addresses alone', () => {
    expect(podIPForLocalHost('192.0.2.10')).toBe('192.0.2.10');
    expect(localHostForPodIP('192.0.2.10')).toBe('192.0.2.10');
  });

  it('refuses loopback addresses it cannot map, saying which it can', () => {
    expect(() => podIPForLocalHost('127.1.0.1')).toThrow(/127\.0\.0\.0\/16/);
    expect(() => podIPForLocalHost('::1')).toThrow(/127\.0\.x\.y/);
  });
});
