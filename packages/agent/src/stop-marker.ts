import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * The split-brain stop marker: a file in an emptyDir shared with the broker container, whose
 * liveness probe fails while it exists, so the kubelet stops (and keeps restarting into failure)
 * a broker that serves while another pod renews the group Lease. The agent removes it once no
 * other pod holds a live Lease; deleting the pod removes it too (emptyDir).
 */
export class StopMarker {
  constructor(readonly path: string) {}

  async exists(): Promise<boolean> {
    try {
      await stat(this.path);
      return true;
    } catch {
      return false;
    }
  }

  async create(reason: string): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    await writeFile(this.path, `${new Date().toISOString()} ${reason}\n`);
  }

  async remove(): Promise<void> {
    await rm(this.path, { force: true });
  }
}
