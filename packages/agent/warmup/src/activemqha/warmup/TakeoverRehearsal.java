package activemqha.warmup;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * Runs the takeover path on a scratch store, in the JVM that waits for the real one:
 *
 *   1. broker A (KahaDB in the scratch directory, OpenWire and STOMP on 127.0.0.1 port 0) takes
 *      persistent traffic with acknowledgements from both protocols, checkpoints (so the store
 *      holds a serialized producer audit and ack map), then takes more traffic that only the
 *      journal holds;
 *   2. while A still runs, its store files are copied (everything but its lock file) as a
 *      SIGKILL would leave them: each of `rounds` brokers B then opens the copy as a new master
 *      does — lock, index and page-file load, audit and ack-map deserialization, journal replay,
 *      destinations, connectors — serves a client of each protocol and stops;
 *   3. everything is stopped and deleted.
 *
 * What keeps it away from the real broker (MessageDatabase, SharedFileLocker and BrokerService
 * read on 5.18/6.1): every file is under the scratch directory (the store, the broker's data and
 * temp directories); the scratch brokers lock only their own scratch lock files; their connectors
 * listen on ephemeral ports of 127.0.0.1 (the broker's own ports are configured, fixed ones);
 * JMX and shutdown hooks are off and the broker names are their own; their log lines are held
 * back (LogSilencer: every thread of the rehearsal is in the ThreadGroup `call()` runs in).
 *
 * The moment the real broker takes its lock (checked every WATCH_INTERVAL_MS, and before every
 * message and step) the rehearsal stops: it finishes the step it is in (at worst one scratch
 * broker's start), stops its brokers, and removes its log filter. Under log4j 1.2, where whole
 * loggers are off instead, the log is given back at once and the scratch brokers are left to be
 * stopped when the JVM ends, so that neither their shutdown lines nor their CPU meet the takeover.
 */
final class TakeoverRehearsal implements Callable<String> {
  /** The real broker took the store lock: the rehearsal gave way. */
  static final class LockTaken extends RuntimeException {
    private static final long serialVersionUID = 1L;

    LockTaken() {
      super("the broker took the store lock", null, false, false);
    }
  }

  private static final String QUEUE = "activemq-ha.warmup";
  private static final String BODY = new String(new char[512]).replace('\0', 'x');
  private static final long WATCH_INTERVAL_MS = 20;

  private final Reflect reflect;
  private final File scratch;
  private final int rounds;
  private final BooleanSupplier lockTaken;
  private final List<Object> running = new ArrayList<>();
  private volatile boolean stopped;
  private int brokers;

  private final ThreadGroup group;
  private LogSilencer silencer;

  /** `group`: the ThreadGroup of the thread that will run `call()`. */
  TakeoverRehearsal(
      ClassLoader brokerLoader, ThreadGroup group, File scratch, int rounds, BooleanSupplier lockTaken) {
    this.reflect = new Reflect(brokerLoader);
    this.group = group;
    this.scratch = scratch;
    this.rounds = rounds;
    this.lockTaken = lockTaken;
  }

  @Override
  public String call() throws Exception {
    silencer = LogSilencer.install(reflect, group);
    Thread watcher = watch(silencer);
    int replayed = 0;
    try {
      File storeA = new File(scratch, "a");
      Object a = start(storeA);
      traffic(a, 150, 100);
      Reflect.call(Reflect.call(a, "getPersistenceAdapter"), "checkpoint", true);
      traffic(a, 100, 60);
      for (int round = 1; round <= rounds; round++) {
        checkLock();
        File storeB = new File(scratch, "b" + round);
        copyStore(new File(storeA, "kahadb"), new File(storeB, "kahadb"));
        Object b = start(storeB);
        traffic(b, 20, 40);
        stop(b);
        ScratchDirs.delete(storeB);
        replayed++;
      }
      stop(a);
      checkLock();
      return "rehearsed " + replayed + (replayed == 1 ? " round" : " rounds");
    } finally {
      boolean lockTakenMeanwhile = stopped;
      stopped = true;
      watcher.interrupt();
      // Under log4j 1.2 the log is the real broker's again by now: a stop would be heard.
      if (silencer.exact() || !lockTakenMeanwhile) {
        for (Object broker : new ArrayList<>(running)) stopQuietly(broker);
      }
      silencer.restore();
    }
  }

  /**
   * Flags the lock as taken within WATCH_INTERVAL_MS; the rehearsal thread then winds down. Under
   * log4j 1.2 the log is given back from here at once.
   */
  private Thread watch(LogSilencer silencer) {
    Thread watcher =
        new Thread(
            () -> {
              try {
                while (!stopped) {
                  if (lockTaken.getAsBoolean()) {
                    stopped = true;
                    if (!silencer.exact()) silencer.restore();
                    return;
                  }
                  Thread.sleep(WATCH_INTERVAL_MS);
                }
              } catch (InterruptedException e) {
                // The rehearsal is over.
              } catch (Throwable t) {
                stopped = true;
              }
            },
            "activemq-ha takeover warm-up watcher");
    watcher.setDaemon(true);
    watcher.start();
    return watcher;
  }

  private void checkLock() {
    if (stopped || lockTaken.getAsBoolean()) throw new LockTaken();
  }

  private Object start(File dir) throws Exception {
    checkLock();
    Object broker = reflect.create("org.apache.activemq.broker.BrokerService");
    Reflect.call(broker, "setBrokerName", "activemq-ha-warmup-" + ++brokers);
    Reflect.call(broker, "setUseJmx", false);
    Reflect.call(broker, "setUseShutdownHook", false);
    Reflect.call(broker, "setSchedulerSupport", false);
    Reflect.call(broker, "setPersistent", true);
    Reflect.call(broker, "setDataDirectoryFile", dir);
    Reflect.call(broker, "setTmpDataDirectory", new File(dir, "tmp"));
    Object store = reflect.create("org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter");
    Reflect.call(store, "setDirectory", new File(dir, "kahadb"));
    // Small journal files keep the copies cheap; no timed checkpoint or cleanup, so the copy
    // taken while A runs needs a replay, as a killed master's store does.
    Reflect.call(store, "setJournalMaxFileLength", 1024 * 1024);
    Reflect.call(store, "setCheckpointInterval", 3_600_000L);
    Reflect.call(store, "setCleanupInterval", 3_600_000L);
    Reflect.call(broker, "setPersistenceAdapter", store);
    Object usage = Reflect.call(broker, "getSystemUsage");
    Reflect.call(Reflect.call(usage, "getMemoryUsage"), "setLimit", 32L << 20);
    Reflect.call(Reflect.call(usage, "getStoreUsage"), "setLimit", 64L << 20);
    Reflect.call(Reflect.call(usage, "getTempUsage"), "setLimit", 64L << 20);
    Reflect.call(broker, "addConnector", "tcp://127.0.0.1:0");
    try {
      Reflect.call(broker, "addConnector", "stomp://127.0.0.1:0");
    } catch (Exception e) {
      // No STOMP module in this installation: OpenWire only.
    }
    running.add(broker);
    Reflect.call(broker, "start");
    Reflect.call(broker, "waitUntilStarted");
    return broker;
  }

  /** `sends` persistent messages per protocol, then up to `acks` of them received and acked. */
  private void traffic(Object broker, int sends, int acks) throws Exception {
    for (Object connector : (List<?>) Reflect.call(broker, "getTransportConnectors")) {
      checkLock();
      java.net.URI uri = (java.net.URI) Reflect.call(connector, "getConnectUri");
      if (uri.getScheme().startsWith("stomp")) {
        try (StompPeer stomp = new StompPeer(uri.getPort(), this::checkLock)) {
          stomp.send(QUEUE + ".stomp", sends, BODY);
          checkLock();
          stomp.receive(QUEUE + ".stomp", acks);
        }
      } else {
        try (OpenWirePeer openwire = new OpenWirePeer(reflect, uri.getPort(), this::checkLock)) {
          openwire.send(QUEUE + ".openwire", sends, BODY);
          checkLock();
          openwire.receive(QUEUE + ".openwire", acks);
        }
      }
    }
  }

  private void stop(Object broker) throws Exception {
    running.remove(broker);
    Reflect.call(broker, "stop");
    Reflect.call(broker, "waitUntilStopped");
  }

  private void stopQuietly(Object broker) {
    try {
      stop(broker);
    } catch (Throwable t) {
      // Stopping on the way out of a failure: the first error is the one reported.
    }
  }

  /** A running store's files, as they are on disk (no checkpoint: what a kill leaves). */
  private static void copyStore(File from, File to) throws IOException {
    Path source = from.toPath();
    try (Stream<Path> paths = Files.walk(source)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.toPath().resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) Files.createDirectories(target);
        else if (!p.getFileName().toString().equals("lock")) {
          Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }
}
