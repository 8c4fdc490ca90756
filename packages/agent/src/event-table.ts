/** A handler per event name of an emitter's typed event map; names left out are not wired. */
export type EventTable<E> = {
  readonly [K in keyof E]?: E[K] extends unknown[] ? (...args: E[K]) => void : never;
};

/** Subscribes every handler of `table` on `emitter`. */
export function wireTable<E>(
  emitter: { on(name: never, fn: never): unknown },
  table: EventTable<E>,
): void {
  for (const [name, fn] of Object.entries(table)) emitter.on(name as never, fn as never);
}
