// The watches the API is streaming now. The handler adds each watch it starts; faults cut them and
// tests send bookmarks through this set, so neither needs the handler itself.
import type { CutMode, WatchStream } from './watch-stream.js';

/** What a set of open watches needs from each watch. */
export type OpenWatch = Pick<WatchStream, 'cut' | 'sendBookmark'>;

export class OpenWatches<W extends OpenWatch = WatchStream> {
  private readonly open = new Set<W>();

  get size(): number {
    return this.open.size;
  }

  add(watch: W): void {
    this.open.add(watch);
  }

  /** Called by a watch once it ended, whoever ended it. */
  remove(watch: W): void {
    this.open.delete(watch);
  }

  /** Ends every open watch as `mode` says; returns how many there were. */
  cutAll(mode: CutMode): number {
    // A watch removes itself while being cut: iterate over a copy.
    const all = [...this.open];
    for (const w of all) w.cut(mode);
    return all.length;
  }

  /** A BOOKMARK now on every watch that allows them. */
  sendBookmarks(): void {
    for (const w of this.open) w.sendBookmark();
  }
}
