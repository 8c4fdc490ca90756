/**
 * The store lock is a POSIX lock on a file of the shared volume (Java's FileChannel.tryLock). These
 * mount options make that lock lie or never expire, so two brokers could both believe they are
 * active and corrupt the store. Returns why an option is unsafe, or undefined.
 */
export function unsafeNfsMountOption(option: string): string | undefined {
  const [rawKey = '', value] = option.split('=', 2);
  const key = rawKey.trim().toLowerCase();
  if ((key === 'vers' || key === 'nfsvers') && value !== undefined && /^[23](\.|$)/.test(value)) {
    return `"${option}": NFSv${value} locks (NLM) are never timed out when their holder's node dies, so no slave ever takes over; use nfsvers=4.1`;
  }
  if (key === 'nolock') {
    return `"${option}": locks stay local to each node, so every broker gets "the" lock; remove it`;
  }
  if (key === 'local_lock' && value !== undefined && value.trim().toLowerCase() !== 'none') {
    return `"${option}": locks stay local to each node, so every broker gets "the" lock; use local_lock=none or remove it`;
  }
  if (key === 'soft' || key === 'softerr') {
    return `"${option}": a soft mount turns a slow server into I/O errors in the middle of KahaDB writes; use hard`;
  }
  return undefined;
}

/** Does this option pin the NFS protocol version (`nfsvers=…` or `vers=…`)? */
export function namesNfsVersion(option: string): boolean {
  return /^\s*(nfs)?vers\s*=/i.test(option);
}
