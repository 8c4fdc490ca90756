package activemqha.warmup;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The rehearsal's private directory under java.io.tmpdir (an emptyDir in the pod), named with the
 * JVM's pid. A JVM killed mid-rehearsal leaves its directory behind, and an emptyDir outlives a
 * container restart, so directories of pids that are gone (or of this pid: a restarted container
 * often gets the same one) are removed first.
 */
final class ScratchDirs {
  static final String NAME = "activemq-ha-warmup-";

  private ScratchDirs() {}

  static File create(File parent) throws IOException {
    return Files.createTempDirectory(parent.toPath(), NAME + ProcessHandle.current().pid() + "-")
        .toFile();
  }

  static void removeStale(File parent) {
    File[] entries = parent.listFiles((d, name) -> name.startsWith(NAME));
    if (entries == null) return;
    long self = ProcessHandle.current().pid();
    for (File entry : entries) {
      String rest = entry.getName().substring(NAME.length());
      int dash = rest.indexOf('-');
      if (dash <= 0) continue;
      try {
        long pid = Long.parseLong(rest.substring(0, dash));
        if (pid == self || !ProcessHandle.of(pid).isPresent()) delete(entry);
      } catch (NumberFormatException e) {
        // Not one of ours.
      }
    }
  }

  static void delete(File dir) {
    try (Stream<Path> paths = Files.walk(dir.toPath())) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      // Best effort: the next JVM removes what is left.
    }
  }
}
