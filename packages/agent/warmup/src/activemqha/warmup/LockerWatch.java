package activemqha.warmup;

import java.util.Map;

/**
 * Finds the broker's own lock-waiting thread by its stack: SharedFileLocker.doStart retries
 * `lockFile.lock()` every lockAcquireSleepInterval until it wins (activemq-broker's
 * org.apache.activemq.store.SharedFileLocker), so a thread that sits in doStart across several
 * looks, seconds apart, is a slave waiting for the store lock; the moment it leaves doStart the
 * broker holds the lock and is opening the store.
 */
final class LockerWatch {
  private static final String LOCKER = "org.apache.activemq.store.SharedFileLocker";
  /** Threads of a started TransportConnector (TcpTransportServer): this JVM already serves. */
  private static final String SERVING_THREAD = "ActiveMQ Transport Server";
  private static final long SCAN_INTERVAL_MS = 250;
  /** A master passes through doStart once, for one lockKeepAlivePeriod at most. */
  private static final int SIGHTINGS = 4;

  private LockerWatch() {}

  /** The thread waiting for the store lock, or null if this JVM serves or none shows up in time. */
  static Thread awaitWaitingLocker(long maxWaitMs) throws InterruptedException {
    long deadline = System.nanoTime() + maxWaitMs * 1_000_000;
    Thread candidate = null;
    int sightings = 0;
    while (System.nanoTime() < deadline) {
      Thread seen = null;
      boolean serving = false;
      for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
        if (e.getKey().getName().startsWith(SERVING_THREAD)) serving = true;
        if (inDoStart(e.getValue())) seen = e.getKey();
      }
      if (seen == null && serving) return null;
      if (seen != null && seen == candidate) {
        if (++sightings >= SIGHTINGS) return seen;
      } else {
        candidate = seen;
        sightings = seen == null ? 0 : 1;
      }
      Thread.sleep(SCAN_INTERVAL_MS);
    }
    return null;
  }

  /** Whether `locker` still waits for the lock (false once it won it, or died). */
  static boolean waiting(Thread locker) {
    return locker.isAlive() && inDoStart(locker.getStackTrace());
  }

  private static boolean inDoStart(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      if (frame.getClassName().equals(LOCKER) && frame.getMethodName().equals("doStart")) return true;
    }
    return false;
  }
}
