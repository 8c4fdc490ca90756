/**
 * JIT flags every broker JVM gets, in the manifests and in the test ground alike, placed before
 * `broker.javaOptions` so that a flag there overrides them (the JVM takes the last one).
 *
 * `-XX:TieredStopAtLevel=1`: C1 only. A broker that just took the store lock runs its recovery
 * and start-up code for the first time; with the full tiered pipeline the C2 compiler threads
 * start compiling the hottest of it at the same moment and compete with it for the CPU: the new
 * master's JVM spent about twice the CPU time from the kill until it served (figures in
 * docs/benchmarks.md, "Where the new master's time goes"). The price is C1's slower code in steady
 * state, measured and stated beside it; `--java-options -XX:TieredStopAtLevel=4` restores C2.
 */
export const BROKER_JIT_FLAGS: readonly string[] = ['-XX:TieredStopAtLevel=1'];
