import { deepEqual } from './json.js';
import type { StoreEvent } from './types.js';
import { labelsOf } from './write-strategy.js';

/** A pod write that changed its labels (creation and deletion included). */
export interface LabelChange {
  readonly resourceVersion: number;
  /** Epoch ms of the write. */
  readonly time: number;
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly namespace: string;
  readonly pod: string;
  /** Labels before the write; undefined for ADDED. */
  readonly before?: Readonly<Record<string, string>>;
  /** Labels after the write; undefined for DELETED. */
  readonly after?: Readonly<Record<string, string>>;
}

/** Records every label change of every pod for the emulator's lifetime (not bounded). */
export class LabelHistory {
  private readonly changes: LabelChange[] = [];

  record(e: StoreEvent): void {
    if (e.resource !== 'pods') return;
    const before = e.type === 'ADDED' ? undefined : (labelsOf(e.previous) ?? {});
    const after = e.type === 'DELETED' ? undefined : (labelsOf(e.object) ?? {});
    if (e.type === 'MODIFIED' && deepEqual(before, after)) return;
    const c: { -readonly [K in keyof LabelChange]: LabelChange[K] } = {
      resourceVersion: e.resourceVersion,
      time: Date.now(),
      type: e.type,
      namespace: e.object.metadata.namespace ?? '',
      pod: e.object.metadata.name ?? '',
    };
    if (before) c.before = { ...before };
    if (after) c.after = { ...after };
    this.changes.push(c);
  }

  list(): LabelChange[] {
    return this.changes.map((c) => ({ ...c }));
  }

  /**
   * The most pods that carried `key` (with `value`, when given) at the same time, over the whole
   * history — `maxConcurrent('leader', 'yes') <= 1` is the "never two leaders" assertion.
   */
  maxConcurrent(key: string, value?: string, namespace?: string): number {
    const holders = new Set<string>();
    let max = 0;
    const has = (l: Readonly<Record<string, string>> | undefined) =>
      l !== undefined && Object.hasOwn(l, key) && (value === undefined || l[key] === value);
    for (const c of this.changes) {
      if (namespace !== undefined && c.namespace !== namespace) continue;
      const id = `${c.namespace}/${c.pod}`;
      if (has(c.after)) holders.add(id);
      else holders.delete(id);
      max = Math.max(max, holders.size);
    }
    return max;
  }
}
