import { open } from 'node:fs/promises';
import type { LeaderState } from '@activemq-ha/core';
import { type BrokerLogState, brokerLogState, standbyReadiness } from './broker-log-state.js';
import { findBrokerJvm, modifiedAtMs } from './broker-process.js';

/** How much of the log's end is read: a waiting slave logs a handful of lines after its start. */
const TAIL_BYTES = 64 * 1024;

export interface BrokerLogReading {
  readonly state: BrokerLogState;
  readonly ready: boolean;
  readonly reason: string;
}

/**
 * A standby is Ready only while its broker JVM is up and waiting for the store lock. A waiting
 * slave opens no port, so both come from files: the JVM from the pod's shared process list
 * (findBrokerJvm), the lock wait from the tail of the broker's own log (an emptyDir the broker
 * writes and the agent mounts read-only), read when /readyz is asked. A log not written since the
 * JVM started holds only an earlier JVM's lines (the emptyDir outlives container restarts).
 */
export class BrokerLogReadiness {
  constructor(
    readonly path: string,
    /** A substring of one of the broker JVM's arguments. */
    readonly processMatch: string,
  ) {}

  /** `probe`: the elector's state of the local broker. */
  async read(probe: LeaderState): Promise<BrokerLogReading> {
    const jvm = await findBrokerJvm(this.processMatch);
    if (!jvm) {
      return {
        state: 'unknown',
        ready: false,
        reason: `no broker JVM (an argument containing "${this.processMatch}") in the pod's process list`,
      };
    }
    const written = await modifiedAtMs(this.path);
    if (written !== undefined && written < jvm.startedAtMs) {
      return {
        state: 'starting',
        ready: false,
        reason: `broker JVM ${jvm.pid} started and has not logged yet (${this.path})`,
      };
    }
    let text: string;
    try {
      text = await readTail(this.path, TAIL_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      return {
        state: 'unknown',
        ready: false,
        reason: `broker log ${this.path} unreadable (${code}): the broker has not started logging`,
      };
    }
    const state = brokerLogState(text);
    const verdict = standbyReadiness(state, probe);
    return { state, ready: verdict.ready, reason: `${verdict.reason} (${this.path})` };
  }
}

async function readTail(path: string, bytes: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    await file.read(buffer, 0, buffer.length, start);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}
