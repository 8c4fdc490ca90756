/**
 * Kubernetes quantities as numbers (resource.Quantity's suffixes: binary Ki…Ei, decimal k…E and
 * milli `m`), for the checks that compare a JVM heap, a store limit or a request with a limit.
 */
const FACTORS: Readonly<Record<string, number>> = {
  '': 1,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

export const QUANTITY_PATTERN = /^([0-9]+(?:\.[0-9]+)?)(m|k|Ki|Mi|Gi|Ti|Pi|Ei|M|G|T|P|E)?$/;

/** The quantity's value in base units (bytes for memory and storage, cores for cpu). */
export function quantityValue(quantity: string): number {
  const match = QUANTITY_PATTERN.exec(quantity);
  if (!match) throw new RangeError(`not a Kubernetes quantity: "${quantity}"`);
  return Number(match[1]) * (FACTORS[match[2] ?? ''] ?? 1);
}

const MIB = 2 ** 20;

/** Bytes as whole mebibytes, rounded down: what a JVM flag (`-Xmx640m`) or a message shows. */
export function mebibytes(bytes: number): number {
  return Math.floor(bytes / MIB);
}

/** A JVM size (`-Xmx2g`, `-Xmx768m`, `-Xmx1048576`) in bytes; undefined when malformed. */
export function jvmSizeBytes(size: string): number | undefined {
  const match = /^([0-9]+)([kKmMgGtT]?)$/.exec(size);
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase();
  const factor = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[unit] ?? 1;
  return Number(match[1]) * factor;
}
