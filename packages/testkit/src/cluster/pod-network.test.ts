import { describe, expect, it } from 'vitest';
import {
  allocatePodIPs,
  detectPodNetwork,
  hostForPodIPIn,
  localHostForPodIP,
  podIPForLocalHost,
} from './pod-network.js';

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

  it('allocates distinct pod IPs of one /24 inside the pod CIDR, which the kubelet publishes as they are', () => {
    const ips = allocatePodIPs(3, () => 0.5);
    expect(ips).toEqual(['10.244.128.10', '10.244.128.11', '10.244.128.12']);
    for (const ip of ips) expect(podIPForLocalHost(ip)).toBe(ip);
    expect(allocatePodIPs(1, () => 0)[0]).toBe('10.244.1.10');
    expect(allocatePodIPs(1, () => 0.999)[0]).toBe('10.244.254.10');
    expect(() => allocatePodIPs(0)).toThrow(/count/);
  });

  it('connects to pod IPs as they are when routable, through the loopback mapping otherwise', () => {
    expect(hostForPodIPIn({ kind: 'routable' })('10.244.3.7')).toBe('10.244.3.7');
    expect(hostForPodIPIn({ kind: 'mapped', reason: '' })('10.244.3.7')).toBe('127.0.3.7');
  });

  it('is mapped outside scripts/pod-network.sh, with a reason a skip can show', async () => {
    const outside = await detectPodNetwork({});
    expect(outside.kind).toBe('mapped');
    expect(outside.kind === 'mapped' && outside.reason).toMatch(/scripts\/pod-network\.sh/);
    const refused = await detectPodNetwork({ ACTIVEMQ_HA_POD_NETWORK_REFUSED: 'unshare: EPERM' });
    expect(refused.kind === 'mapped' && refused.reason).toMatch(/unshare: EPERM/);
  });

  it('does not trust the variable alone: the pod CIDR must be local', async () => {
    const claimed = await detectPodNetwork({ ACTIVEMQ_HA_POD_NETWORK: 'netns' });
    // Inside the namespace this is routable; on a host without the route it must say why not.
    if (claimed.kind === 'mapped') expect(claimed.reason).toMatch(/not local here/);
  });
});
