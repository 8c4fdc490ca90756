#!/bin/sh
# Fetches the ActiveMQ Classic versions of scripts/broker-matrix.txt from Maven Central into
# ${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/activemq/<version>/, outside the clone, so that a
# machine downloads each once (CI clones afresh on the same machine). Each is verified and
# unpacked into a temporary directory and moved into place whole, so a home that exists is
# complete; when every home exists this takes milliseconds. When Maven Central is unreachable the
# missing versions are reported and the tests run on Debian's package (scripts/setup.sh).
# Usage: sh scripts/setup-brokers.sh [version...]   (default: every version of the matrix)
set -eu
ROOT=$(CDPATH= cd -- "$(dirname -- "$0")/.." && pwd)
CACHE="${ACTIVEMQ_HA_CACHE:-$HOME/.cache/activemq-ha}/activemq"
CENTRAL="${ACTIVEMQ_HA_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}"
say() { echo "setup-brokers: $*" >&2; }

matrix() { grep -v '^#' "$ROOT/scripts/broker-matrix.txt" | awk 'NF >= 2 { print $1, $2 }'; }

# The official bin tarball and its published .sha512 (or .sha1 for old releases).
fetch_tarball() { # version target
  v=$1; out=$2
  url="$CENTRAL/org/apache/activemq/apache-activemq/$v/apache-activemq-$v-bin.tar.gz"
  curl -fsSL --retry 2 -m 600 -o "$out/dist.tar.gz" "$url" || { say "$v: Maven Central did not serve $url"; return 1; }
  if curl -fsSL -m 60 -o "$out/dist.sum" "$url.sha512" 2>/dev/null; then algo=sha512sum
  elif curl -fsSL -m 60 -o "$out/dist.sum" "$url.sha1" 2>/dev/null; then algo=sha1sum
  else say "$v: no .sha512 or .sha1 next to $url"; return 1; fi
  want=$(awk '{ print $1; exit }' "$out/dist.sum")
  got=$($algo "$out/dist.tar.gz" | awk '{ print $1 }')
  [ "$want" = "$got" ] || { say "$v: checksum mismatch ($algo): published $want, downloaded $got"; return 1; }
  mkdir -p "$out/home"
  tar -xzf "$out/dist.tar.gz" -C "$out/home" --strip-components=1 || { say "$v: cannot unpack the tarball"; return 1; }
  rm -f "$out/dist.tar.gz" "$out/dist.sum"
}

# The release's modules, resolved by Maven against the release's own parent POM (so every library
# is at the version that release was built with), laid out as assembly/src/main/descriptors/
# common-bin.xml does: the launcher as bin/activemq.jar, libraries in lib/ (its Main puts every
# jar of lib/ on the classpath), the web console's pages and classes in webapps/admin (without the
# WAR's WEB-INF/lib and its stand-alone broker, as the distribution ships it). `-C` makes a
# checksum mismatch fatal.
fetch_modules() { # version target
  v=$1; out=$2
  command -v mvn >/dev/null 2>&1 || { say "$v: mvn not found (apt-get install maven)"; return 1; }
  [ ! -f "$ROOT/scripts/broker-layout-${v%.*}.txt" ] || { fetch_modules_by_layout "$v" "$out" "${v%.*}"; return; }
  sed "s/@VERSION@/$v/g" "$ROOT/scripts/broker-modules.pom.xml" > "$out/pom.xml"
  mvn -B -q -C -f "$out/pom.xml" dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory="$out/home/lib" >"$out/mvn.log" 2>&1 ||
    { say "$v: Maven could not resolve the release's modules (last lines of its log follow)"; tail -n 5 "$out/mvn.log" >&2; return 1; }
  mkdir -p "$out/home/bin" "$out/home/webapps/admin" "$out/home/conf"
  mv "$out/home/lib/activemq-run-$v.jar" "$out/home/bin/activemq.jar"
  (cd "$out/home/webapps/admin" && unzip -q "$out/home/lib/activemq-web-console-$v.war" -x 'WEB-INF/lib/*') ||
    { say "$v: cannot unpack the web console"; return 1; }
  # The WAR's WEB-INF/activemq.xml and webconsole-embedded.xml run a broker of the console's own;
  # a distribution drops the first and replaces the second (see broker-webconsole-embedded.xml).
  rm -f "$out/home/webapps/admin/WEB-INF/activemq.xml"
  cp "$ROOT/scripts/broker-webconsole-embedded.xml" "$out/home/webapps/admin/WEB-INF/webconsole-embedded.xml"
  rm -f "$out/home/lib/activemq-web-console-$v.war" "$out/pom.xml" "$out/mvn.log"
}

# From 6.3 (Jetty 12) the distribution spreads its jars over lib/, lib/optional/, lib/web/, ...
# (activemq.jar's Main puts each of them on the classpath) and Maven Central serves only part of
# the release: scripts/broker-modules-<line>.pom.xml resolves the assembly's dependencies (`-C`:
# a checksum mismatch is fatal) and scripts/broker-layout-<line>.txt places each jar where the
# release's common-bin.xml does. activemq-run is not served, so bin/activemq.jar is built as that
# module builds it: its maven-shade-plugin keeps only activemq-console's
# org/apache/activemq/console/Main*.class, with Main-Class org.apache.activemq.console.Main.
# Jetty's own etc/*.xml (jetty-server's `config` jar, which the image's conf/jetty files come
# from) go to .activemq-ha/jetty-etc/, and what is not served to .activemq-ha/not-served.txt.
fetch_modules_by_layout() { # version target line
  v=$1; out=$2; layout="$ROOT/scripts/broker-layout-$3.txt"
  command -v zip >/dev/null 2>&1 || { say "$v: zip not found (apt-get install zip)"; return 1; }
  sed "s/@VERSION@/$v/g" "$ROOT/scripts/broker-modules-$3.pom.xml" > "$out/pom.xml"
  mvn -B -q -C -f "$out/pom.xml" dependency:list -DincludeScope=runtime -DoutputAbsoluteArtifactFilename=true \
    -DoutputFile="$out/deps.txt" >"$out/mvn.log" 2>&1 ||
    { say "$v: Maven could not resolve the release's modules (last lines of its log follow)"; tail -n 5 "$out/mvn.log" >&2; return 1; }
  # deps.txt: "   group:artifact:type[:classifier]:version:scope:/path/to.jar[ -- module ...]"
  awk 'NR == FNR { if ($1 !~ /^#/ && $1 != "not-served" && NF >= 2) dir[$2] = $1; next }
       { sub(/ -- .*/, ""); n = split($1, f, ":")
         if (n == 6 && f[3] == "jar" && ((f[1] ":" f[2]) in dir)) print dir[f[1] ":" f[2]], f[6]
         if (n == 7 && f[2] == "jetty-server" && f[4] == "config") print ".activemq-ha/jetty-config", f[7] }' \
    "$layout" "$out/deps.txt" > "$out/placed.txt"
  while read -r dir jar; do
    mkdir -p "$out/home/$dir" && cp "$jar" "$out/home/$dir/" || { say "$v: cannot copy $jar"; return 1; }
  done < "$out/placed.txt"
  mkdir -p "$out/home/bin" "$out/home/conf" "$out/home/.activemq-ha/jetty-etc" "$out/run/META-INF"
  (cd "$out/home/.activemq-ha" && unzip -q -j -o jetty-config/*.jar 'etc/*.xml' -x 'etc/*/*' -d jetty-etc && rm -rf jetty-config) ||
    { say "$v: cannot unpack Jetty's etc/*.xml"; return 1; }
  (cd "$out/run" && unzip -q "$out/home/lib/activemq-console-$v.jar" 'org/apache/activemq/console/Main*.class') ||
    { say "$v: activemq-console-$v.jar has no org/apache/activemq/console/Main*.class"; return 1; }
  printf 'Manifest-Version: 1.0\nMain-Class: org.apache.activemq.console.Main\nImplementation-Title: ActiveMQ :: Run Jar (built by activemq-ha from activemq-console)\nImplementation-Version: %s\n\n' "$v" \
    > "$out/run/META-INF/MANIFEST.MF"
  (cd "$out/run" && zip -q -X -r "$out/home/bin/activemq.jar" META-INF/MANIFEST.MF org) ||
    { say "$v: cannot build bin/activemq.jar"; return 1; }
  awk -v v="$v" '$1 == "not-served" { $1 = ""; gsub(/@VERSION@/, v); sub(/^ /, ""); print }' "$layout" \
    > "$out/home/.activemq-ha/not-served.txt"
}

[ "$#" -gt 0 ] || set -- $(matrix | awk '$2 != "debian" { print $1 }')
mkdir -p "$CACHE"
missing=0
for v in "$@"; do
  how=$(matrix | awk -v v="$v" '$1 == v { print $2 }')
  [ -n "$how" ] || { say "$v is not in scripts/broker-matrix.txt"; exit 1; }
  [ "$how" != debian ] || continue
  [ -f "$CACHE/$v/bin/activemq.jar" ] && continue
  say "fetching ActiveMQ $v ($how) from Maven Central into $CACHE/$v"
  tmp=$(mktemp -d "$CACHE/.fetch-$v.XXXXXX")
  if "fetch_$how" "$v" "$tmp" && [ -f "$tmp/home/bin/activemq.jar" ]; then
    rm -rf "$CACHE/$v" && mv "$tmp/home" "$CACHE/$v"
    rm -rf "$tmp"
  else
    rm -rf "$tmp"
    missing=$((missing + 1))
  fi
done
if [ "$missing" -gt 0 ]; then
  say "$missing version(s) could not be fetched (is Maven Central reachable?); the tests of those versions fall back to Debian's ActiveMQ at /usr/share/activemq"
fi
exit 0
