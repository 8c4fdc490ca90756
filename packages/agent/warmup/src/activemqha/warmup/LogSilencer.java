package activemqha.warmup;

import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.lang.reflect.Proxy;

/**
 * Keeps the rehearsal's brokers out of the broker's log. The agent sidecar reads that log for the
 * broker's state ("Persistence Adapter successfully started", "Apache ActiveMQ … started", "… is
 * shutting down"; see packages/agent/src/broker-log-state.ts), and so do the takeover benchmarks:
 * a rehearsal broker that logged them would make the waiting slave look recovering, serving or
 * stopped. The loggers are per class and shared with the real broker, so what tells the lines
 * apart is the thread: the rehearsal runs in a ThreadGroup of its own, and every thread its
 * brokers start inherits it.
 *
 * log4j2 (ActiveMQ 5.17+ and 6.x): a configuration-wide filter (a proxy of log4j-core's Filter
 * interface) denies every event logged by a thread of that group and leaves every other alone; it
 * is removed once the rehearsal's brokers have stopped. Exact, and nothing of the real broker is
 * lost, also when it takes the lock mid-rehearsal.
 *
 * log4j 1.2 (Debian's 5.17 package only): its filters are classes, not interfaces, so the whole
 * org.apache.activemq tree is turned off instead, except the lock's own loggers (while the
 * rehearsal runs the real broker executes nothing but SharedFileLocker's retry loop), and given
 * back when the rehearsal ends or the lock is taken (`exact()` false: see TakeoverRehearsal).
 *
 * Both are driven by reflection through the broker's class loader. With neither there is no way
 * to keep the log clean, and the rehearsal does not run.
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
  private final boolean exact;
  private boolean restored;

  private LogSilencer(Runnable restore, boolean exact) {
    this.restore = restore;
    this.exact = exact;
  }

  static LogSilencer install(Reflect reflect, ThreadGroup rehearsal) throws Exception {
    try {
      reflect.type("org.apache.logging.log4j.core.LoggerContext");
      return new LogSilencer(log4j2(reflect, rehearsal), true);
    } catch (ClassNotFoundException e) {
      // Not log4j2.
    }
    try {
      reflect.type("org.apache.log4j.Logger");
      return new LogSilencer(log4j1(reflect), false);
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("neither log4j2 nor log4j 1.2 in the broker: cannot keep the rehearsal out of its log");
    }
  }

  /** Only the rehearsal's own lines are held back (log4j2); else a whole logger tree is off. */
  boolean exact() {
    return exact;
  }

  synchronized void restore() {
    if (restored) return;
    restored = true;
    restore.run();
  }

  private static Runnable log4j2(Reflect r, ThreadGroup rehearsal) throws Exception {
    Class<?> logManager = r.type("org.apache.logging.log4j.LogManager");
    // The context the broker's own classes log through: keyed by the loader that loaded them.
    ClassLoader brokerLoader = r.type("org.apache.activemq.store.SharedFileLocker").getClassLoader();
    Object context =
        logManager.getMethod("getContext", ClassLoader.class, boolean.class).invoke(null, brokerLoader, false);
    if (!r.type("org.apache.logging.log4j.core.LoggerContext").isInstance(context)) {
      throw new IllegalStateException("log4j2 without its core: cannot filter");
    }
    Class<?> filterType = r.type("org.apache.logging.log4j.core.Filter");
    Class<?> result = r.type("org.apache.logging.log4j.core.Filter$Result");
    Object deny = enumValue(result, "DENY");
    Object neutral = enumValue(result, "NEUTRAL");
    Object started = enumValue(r.type("org.apache.logging.log4j.core.LifeCycle$State"), "STARTED");
    Object filter =
        Proxy.newProxyInstance(
            brokerLoader,
            new Class<?>[] {filterType},
            (proxy, method, args) -> {
              switch (method.getName()) {
                case "filter":
                  return rehearsal.parentOf(Thread.currentThread().getThreadGroup()) ? deny : neutral;
                case "getOnMatch":
                case "getOnMismatch":
                  return neutral;
                case "getState":
                  return started;
                case "isStarted":
                  return true;
                case "hashCode":
                  return System.identityHashCode(proxy);
                case "equals":
                  return proxy == args[0];
                case "toString":
                  return "activemq-ha takeover warm-up filter";
                default:
                  // initialize, start, stop(), stop(timeout, unit), isStopped, ...
                  return method.getReturnType() == boolean.class
                      ? Boolean.valueOf(method.getName().equals("stop"))
                      : null;
              }
            });
    Object config = Reflect.call(context, "getConfiguration");
    Reflect.call(config, "addFilter", filter);
    return () -> {
      try {
        Object now = Reflect.call(context, "getConfiguration");
        Reflect.call(now, "removeFilter", filter);
      } catch (Exception ex) {
        System.out.println(TakeoverWarmupAgent.PREFIX + "could not remove its log filter: " + TakeoverWarmupAgent.oneLine(ex));
      }
    };
  }

  private static Object enumValue(Class<?> type, String name) {
    for (Object constant : type.getEnumConstants()) {
      if (((Enum<?>) constant).name().equals(name)) return constant;
    }
    throw new IllegalStateException(type.getName() + " has no " + name);
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
