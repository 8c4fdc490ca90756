package activemqha.warmup;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/** This JVM's CPU time, for the one summary line (0 where the JVM does not report it). */
final class Cpu {
  private Cpu() {}

  static long processNanos() {
    try {
      OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
      if (os instanceof com.sun.management.OperatingSystemMXBean) {
        return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
      }
    } catch (Throwable t) {
      // jdk.management missing: report 0.
    }
    return 0;
  }
}
