import { jvmSizeBytes, mebibytes } from '../resources/quantity.js';

/**
 * How much of the broker container's memory limit the Java heap may take. Besides the heap a
 * JVM running ActiveMQ, Spring and Jetty needs metaspace (~80 MiB), code cache (up to 240 MiB
 * reserved, 30-60 MiB used), one thread stack per TCP connection (the default transport is
 * thread-per-connection), NIO direct buffers and GC bookkeeping. `-XX:MaxRAMPercentage=75`
 * of a 1Gi limit left 256 MiB for all of that, so the OOM killer, not the JVM, ended brokers.
 */
const MIB = 2 ** 20;
/** Non-heap headroom the derived heap leaves: this much, or a quarter of the limit if larger. */
export const NON_HEAP_HEADROOM_BYTES = 384 * MIB;
/** Below this a heap the user chose is refused: the JVM would be OOM-killed under load. */
export const MIN_NON_HEAP_BYTES = 256 * MIB;
/** The smallest broker memory limit: the headroom plus a 384 MiB heap. */
export const MIN_BROKER_MEMORY_BYTES = 768 * MIB;

/** The heap the manifests give a broker with this memory limit, in whole MiB. */
export function derivedHeapMib(limitBytes: number): number {
  const headroom = Math.max(NON_HEAP_HEADROOM_BYTES, limitBytes / 4);
  return mebibytes(limitBytes - headroom);
}

export interface HeapChoice {
  /** `-Xmx…` to add, or undefined when the user's flags already size the heap. */
  readonly flag?: string;
  /** Why the user's flags are refused, or undefined. */
  readonly problem?: string;
}

/**
 * Decides the heap flag for `javaOptions` under `limitBytes`: derives one when the flags set none,
 * else checks that the user's `-Xmx` or `-XX:MaxRAMPercentage` leaves room for the rest of the JVM.
 */
export function heapChoice(javaOptions: string, limitBytes: number, limitText: string): HeapChoice {
  const flags = javaOptions.split(/\s+/).filter(Boolean);
  if (flags.includes('-XX:-ExitOnOutOfMemoryError')) {
    return {
      problem:
        'must not turn off ExitOnOutOfMemoryError: a JVM whose heap is exhausted would keep the store lock and never hand over',
    };
  }
  let heapBytes: number | undefined;
  let heapFlag: string | undefined;
  for (const flag of flags) {
    const xmx = /^-Xmx(.+)$/.exec(flag);
    if (xmx) {
      heapBytes = jvmSizeBytes(xmx[1] as string);
      if (heapBytes === undefined)
        return { problem: `"${flag}" is not a heap size; write e.g. -Xmx768m or -Xmx2g` };
      heapFlag = flag;
    }
    const percent = /^-XX:MaxRAMPercentage=([0-9.]+)$/.exec(flag);
    if (percent) {
      heapBytes = (limitBytes * Number(percent[1])) / 100;
      heapFlag = flag;
    }
  }
  if (heapBytes === undefined) return { flag: `-Xmx${derivedHeapMib(limitBytes)}m` };
  if (limitBytes - heapBytes < MIN_NON_HEAP_BYTES) {
    const most = mebibytes(limitBytes - MIN_NON_HEAP_BYTES);
    return {
      problem: `${heapFlag} leaves ${Math.max(0, mebibytes(limitBytes - heapBytes))} MiB of the ${limitText} memory limit for everything besides the heap (metaspace, threads, buffers need at least ${mebibytes(MIN_NON_HEAP_BYTES)} MiB): use at most -Xmx${most}m, raise the limit, or drop the flag to get -Xmx${derivedHeapMib(limitBytes)}m derived from the limit`,
    };
  }
  return {};
}
