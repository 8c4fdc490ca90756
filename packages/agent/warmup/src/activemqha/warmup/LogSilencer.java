package activemqha.warmup;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the rehearsal's brokers out of the broker's log while they run. The agent sidecar reads
 * that log for the broker's state ("Persistence Adapter successfully started", "Apache ActiveMQ …
 * started", "… is shutting down"; see packages/agent/src/broker-log-state.ts), and so do the
 * takeover benchmarks: a rehearsal broker that logged them would make the waiting slave look
 * recovering, serving or stopped. The loggers are per class, shared with the real broker, so the
 * whole org.apache.activemq tree is turned off for the rehearsal, except the lock's own loggers:
 * while the rehearsal runs the real broker executes nothing but SharedFileLocker's retry loop,
 * and the moment it takes the lock the rehearsal restores every level (TakeoverRehearsal's
 * watcher) before the store it then opens logs anything.
 *
 * ActiveMQ 5.17+ and 6.x log through log4j2, Debian's 5.17 through log4j 1.2; both are driven by
 * reflection through the broker's class loader. With neither there is no way to keep the log
 * clean, and the rehearsal does not run.
 */
final class LogSilencer {
  private static final String TREE = "org.apache.activemq";
  /** Loggers the waiting broker itself may use until it holds the lock: left as configured. */
  private static final String[] KEEP = {
    "org.apache.activemq.store.SharedFileLocker",
    "org.apache.activemq.util.LockFile",
    "org.apache.activemq.broker.AbstractLocker",
    "org.apache.activemq.broker.LockableServiceSupport",
  };

  private final Runnable restore;
  private boolean restored;

  private LogSilencer(Runnable restore) {
    this.restore = restore;
  }

  static LogSilencer install(Reflect reflect) throws Exception {
    try {
      reflect.type("org.apache.logging.log4j.core.LoggerContext");
      return new LogSilencer(log4j2(reflect));
    } catch (ClassNotFoundException e) {
      // Not log4j2.
    }
    try {
      reflect.type("org.apache.log4j.Logger");
      return new LogSilencer(log4j1(reflect));
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("neither log4j2 nor log4j 1.2 in the broker: cannot keep the rehearsal out of its log");
    }
  }

  synchronized void restore() {
    if (restored) return;
    restored = true;
    restore.run();
  }

  private static Runnable log4j2(Reflect r) throws Exception {
    Class<?> logManager = r.type("org.apache.logging.log4j.LogManager");
    // The context the broker's own classes log through: keyed by the loader that loaded them.
    ClassLoader brokerLoader = r.type("org.apache.activemq.store.SharedFileLocker").getClassLoader();
    Object context =
        logManager.getMethod("getContext", ClassLoader.class, boolean.class).invoke(null, brokerLoader, false);
    if (!r.type("org.apache.logging.log4j.core.LoggerContext").isInstance(context)) {
      throw new IllegalStateException("log4j2 without its core: cannot change levels");
    }
    Object config = Reflect.call(context, "getConfiguration");
    Class<?> levelType = r.type("org.apache.logging.log4j.Level");
    Object off = levelType.getField("OFF").get(null);
    @SuppressWarnings("unchecked")
    Map<String, Object> loggers = new HashMap<>((Map<String, Object>) Reflect.call(config, "getLoggers"));
    List<String> added = new ArrayList<>();
    Map<String, Object> saved = new HashMap<>();
    Runnable restore = () -> {
      try {
        @SuppressWarnings("unchecked")
        Map<String, Object> now = (Map<String, Object>) Reflect.call(config, "getLoggers");
        for (Map.Entry<String, Object> e : saved.entrySet()) {
          Object lc = now.get(e.getKey());
          if (lc != null) Reflect.call(lc, "setLevel", e.getValue());
        }
        for (String name : added) Reflect.call(config, "removeLogger", name);
        Reflect.call(context, "updateLoggers");
      } catch (Exception ex) {
        System.out.println(TakeoverWarmupAgent.PREFIX + "could not restore log levels: " + TakeoverWarmupAgent.oneLine(ex));
      }
    };
    try {
      for (String keep : KEEP) {
        if (loggers.containsKey(keep)) continue;
        Object level = Reflect.call(Reflect.call(config, "getLoggerConfig", keep), "getLevel");
        Object own = r.create("org.apache.logging.log4j.core.config.LoggerConfig", keep, level, true);
        Reflect.call(config, "addLogger", keep, own);
        added.add(keep);
      }
      for (Map.Entry<String, Object> e : loggers.entrySet()) {
        String name = e.getKey();
        if (!(name.equals(TREE) || name.startsWith(TREE + ".")) || isKept(name)) continue;
        saved.put(name, Reflect.call(e.getValue(), "getLevel"));
        Reflect.call(e.getValue(), "setLevel", off);
      }
      if (!loggers.containsKey(TREE)) {
        Object own = r.create("org.apache.logging.log4j.core.config.LoggerConfig", TREE, off, true);
        Reflect.call(config, "addLogger", TREE, own);
        added.add(TREE);
      }
      Reflect.call(context, "updateLoggers");
    } catch (Exception e) {
      // Half silenced is worse than not at all: undo, and the rehearsal does not run.
      restore.run();
      throw e;
    }
    return restore;
  }

  private static Runnable log4j1(Reflect r) throws Exception {
    Class<?> logger = r.type("org.apache.log4j.Logger");
    Class<?> levelType = r.type("org.apache.log4j.Level");
    Object off = levelType.getField("OFF").get(null);
    java.lang.reflect.Method getLogger = logger.getMethod("getLogger", String.class);
    java.lang.reflect.Method setLevel = logger.getMethod("setLevel", levelType);
    Map<Object, Object> saved = new HashMap<>();
    List<Object> touched = new ArrayList<>();
    Runnable restore = () -> {
      for (Object l : touched) {
        try {
          setLevel.invoke(l, saved.get(l));
        } catch (Exception ex) {
          System.out.println(TakeoverWarmupAgent.PREFIX + "could not restore a log level: " + TakeoverWarmupAgent.oneLine(ex));
        }
      }
    };
    try {
      silence1(r, getLogger, setLevel, off, saved, touched);
    } catch (Exception e) {
      restore.run();
      throw e;
    }
    return restore;
  }

  private static void silence1(
      Reflect r,
      java.lang.reflect.Method getLogger,
      java.lang.reflect.Method setLevel,
      Object off,
      Map<Object, Object> saved,
      List<Object> touched)
      throws Exception {
    for (String keep : KEEP) {
      Object l = getLogger.invoke(null, keep);
      saved.put(l, Reflect.call(l, "getLevel"));
      touched.add(l);
      setLevel.invoke(l, Reflect.call(l, "getEffectiveLevel"));
    }
    Enumeration<?> current = (Enumeration<?>) r.type("org.apache.log4j.LogManager").getMethod("getCurrentLoggers").invoke(null);
    List<Object> tree = new ArrayList<>();
    tree.add(getLogger.invoke(null, TREE));
    while (current.hasMoreElements()) {
      Object l = current.nextElement();
      String name = (String) Reflect.call(l, "getName");
      if (name.startsWith(TREE + ".") && !isKept(name) && Reflect.call(l, "getLevel") != null) tree.add(l);
    }
    for (Object l : tree) {
      saved.put(l, Reflect.call(l, "getLevel"));
      touched.add(l);
      setLevel.invoke(l, off);
    }
  }

  private static boolean isKept(String name) {
    for (String keep : KEEP) if (keep.equals(name)) return true;
    return false;
  }
}
