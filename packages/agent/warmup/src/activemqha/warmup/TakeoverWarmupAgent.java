package activemqha.warmup;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.util.Map;

/**
 * A java agent for the broker JVM (`-javaagent:takeover-warmup.jar`). A waiting slave is a fully
 * started JVM that idles in SharedFileLocker's retry loop; when it finally takes the lock it runs
 * the store recovery and broker start code for the first time: class loading, linking and
 * interpreted first runs were about half a second of the new master's time (docs/benchmarks.md,
 * "Where the new master's time goes"). This agent lets such a JVM run that path once beforehand,
 * on a private scratch store (see TakeoverRehearsal), so the classes are loaded and the hot methods
 * compiled when the real takeover comes.
 *
 * It never delays or stops the broker: premain only starts a daemon thread, and that thread
 * catches everything and prints one line. It does nothing in a JVM that is not waiting for the
 * lock (a master), and gives up as soon as the waiting broker takes the lock.
 *
 * No ActiveMQ type is compiled in: ActiveMQ's launcher loads the broker through its own class
 * loader (org.apache.activemq.console.Main builds one from lib/ and sets it as the main thread's
 * context loader), which the system class loader that loads this agent cannot see. Everything of
 * ActiveMQ is reached by reflection through that loader, so one jar serves 5.17, 5.18 and 6.x
 * (javax and jakarta alike).
 *
 * Options (`-javaagent:takeover-warmup.jar=rounds=3,maxWaitMs=300000`): `rounds` recoveries of the
 * scratch store (default 3, 0 disables), `maxWaitMs` how long to look for a waiting locker before
 * concluding this JVM is the master (default 300000), `dir` the scratch parent (default
 * java.io.tmpdir).
 */
public final class TakeoverWarmupAgent {
  static final String PREFIX = "activemq-ha takeover warm-up: ";

  private TakeoverWarmupAgent() {}

  public static void premain(String args, Instrumentation instrumentation) {
    premain(args);
  }

  public static void premain(String args) {
    try {
      final WarmupOptions options = WarmupOptions.parse(args);
      if (options.rounds == 0) return;
      Thread thread = new Thread(() -> run(options), "activemq-ha takeover warm-up");
      thread.setDaemon(true);
      thread.setPriority(Thread.MIN_PRIORITY);
      thread.start();
    } catch (Throwable t) {
      System.out.println(PREFIX + "not started: " + t);
    }
  }

  private static void run(WarmupOptions options) {
    long startedAt = System.nanoTime();
    try {
      ScratchDirs.removeStale(options.dir);
      Thread locker = LockerWatch.awaitWaitingLocker(options.maxWaitMs);
      if (locker == null) {
        System.out.println(PREFIX + "skipped: this broker did not wait for the store lock");
        return;
      }
      ClassLoader broker = locker.getContextClassLoader();
      File scratch = ScratchDirs.create(options.dir);
      long cpuBefore = Cpu.processNanos();
      long wallBefore = System.nanoTime();
      String summary;
      try {
        summary = rehearse(broker, scratch, options.rounds, locker);
      } finally {
        // Before the report: whoever waits for the line finds the directory gone.
        ScratchDirs.delete(scratch);
      }
      // One full collection while nothing else runs in this JVM: the rehearsal's garbage goes,
      // and the serial and parallel collectors give the heap they grew for it back.
      System.gc();
      System.out.println(
          PREFIX
              + summary
              + " in "
              + (System.nanoTime() - wallBefore) / 1_000_000
              + " ms ("
              + (Cpu.processNanos() - cpuBefore) / 1_000_000
              + " ms process CPU)");
    } catch (TakeoverRehearsal.LockTaken e) {
      System.out.println(
          PREFIX
              + "stopped: the broker took the store lock after "
              + (System.nanoTime() - startedAt) / 1_000_000
              + " ms");
    } catch (Throwable t) {
      // Never more than one line: the broker's stdout is its container log.
      System.out.println(PREFIX + "failed (the broker is unaffected): " + oneLine(t));
    }
  }

  /**
   * Runs the rehearsal in a thread of its own ThreadGroup, which every thread of its scratch
   * brokers inherits: that is how their log lines are told from the real broker's (LogSilencer).
   */
  private static String rehearse(ClassLoader broker, File scratch, int rounds, Thread locker)
      throws Exception {
    ThreadGroup group = new ThreadGroup("activemq-ha takeover warm-up");
    TakeoverRehearsal rehearsal =
        new TakeoverRehearsal(broker, group, scratch, rounds, () -> !LockerWatch.waiting(locker));
    java.util.concurrent.FutureTask<String> task = new java.util.concurrent.FutureTask<>(rehearsal);
    Thread thread = new Thread(group, task, "activemq-ha takeover rehearsal");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.setContextClassLoader(broker);
    thread.start();
    try {
      return task.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) throw (Exception) cause;
      if (cause instanceof Error) throw (Error) cause;
      throw e;
    }
  }

  static String oneLine(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) root = root.getCause();
    String text = root.toString();
    return root == t ? text : t.getClass().getSimpleName() + " caused by " + text;
  }

  /** The parsed agent argument. */
  static final class WarmupOptions {
    final int rounds;
    final long maxWaitMs;
    final File dir;

    private WarmupOptions(int rounds, long maxWaitMs, File dir) {
      this.rounds = rounds;
      this.maxWaitMs = maxWaitMs;
      this.dir = dir;
    }

    static WarmupOptions parse(String args) {
      int rounds = 3;
      long maxWaitMs = 300_000;
      File dir = new File(System.getProperty("java.io.tmpdir"));
      if (args != null && !args.trim().isEmpty()) {
        for (String pair : args.split(",")) {
          String[] kv = pair.split("=", 2);
          String key = kv[0].trim();
          String value = kv.length > 1 ? kv[1].trim() : "";
          switch (key) {
            case "rounds":
              rounds = Integer.parseInt(value);
              if (rounds < 0 || rounds > 20) throw new IllegalArgumentException("rounds: 0..20, got " + value);
              break;
            case "maxWaitMs":
              maxWaitMs = Long.parseLong(value);
              break;
            case "dir":
              dir = new File(value);
              break;
            default:
              throw new IllegalArgumentException(
                  "unknown option " + key + " (known: rounds, maxWaitMs, dir)");
          }
        }
      }
      return new WarmupOptions(rounds, maxWaitMs, dir);
    }

    @Override
    public String toString() {
      return Map.of("rounds", rounds, "maxWaitMs", maxWaitMs, "dir", dir).toString();
    }
  }
}
