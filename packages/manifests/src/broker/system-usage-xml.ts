/**
 * The broker's resource limits. Without `<systemUsage>` ActiveMQ assumes a 100 GB store and a
 * 50 GB temp store: on a 10Gi volume producers are never slowed down, the disk fills up and KahaDB
 * fails mid-write instead of applying producer flow control.
 */
export interface SystemUsageOptions {
  /** Bytes the persistent store may hold before producers are blocked. */
  readonly storeLimitBytes: number;
  /** Bytes of the temp store (non-persistent messages spooled to disk). */
  readonly tempLimitBytes: number;
  /** Share of the JVM heap messages in memory may take. @default 70 */
  readonly memoryPercentOfJvmHeap?: number;
}

/**
 * The share of a volume the store limit takes: KahaDB needs the rest to roll journal files
 * (32 MiB each), rewrite its index and let the cleanup task catch up before space is freed.
 */
export const STORE_SHARE_OF_VOLUME = 0.8;

/** The store (or temp) limit for a volume of `volumeBytes`, in whole bytes. */
export function usageLimitFor(volumeBytes: number): number {
  return Math.floor(volumeBytes * STORE_SHARE_OF_VOLUME);
}

export function renderSystemUsageXml(options: SystemUsageOptions): string {
  const percent = options.memoryPercentOfJvmHeap ?? 70;
  return `
    <!-- Limits derived from the volumes: producers are slowed down before a disk fills up. -->
    <systemUsage>
      <systemUsage>
        <memoryUsage><memoryUsage percentOfJvmHeap="${percent}"/></memoryUsage>
        <storeUsage><storeUsage limit="${options.storeLimitBytes}"/></storeUsage>
        <tempUsage><tempUsage limit="${options.tempLimitBytes}"/></tempUsage>
      </systemUsage>
    </systemUsage>
`;
}
