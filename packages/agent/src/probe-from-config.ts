import { allOf, openwireProbe, type Probe, stompProbe, tcpProbe } from '@activemq-ha/core';
import type { AgentConfig } from './config.js';

/** The probe the configuration asks for; several probes must all pass. */
export function probeFromConfig(config: AgentConfig): Probe {
  const host = config.brokerHost;
  const timeoutMs = config.probeTimeoutMs;
  const tls = config.probeTls;
  const probes = config.probes.map((kind): Probe => {
    // `tcp` only proves the OpenWire port is open; it is the cheapest, weakest check.
    switch (kind) {
      case 'openwire':
        return openwireProbe({ host, port: config.openwirePort, timeoutMs, tls });
      case 'stomp':
        return stompProbe({
          host,
          port: config.stompPort,
          timeoutMs,
          tls,
          login: config.stompLogin,
          passcode: config.stompPasscode,
        });
      default:
        return tcpProbe({ host, port: config.openwirePort, timeoutMs, tls });
    }
  });
  return probes.length === 1 ? probes[0]! : allOf(...probes);
}
