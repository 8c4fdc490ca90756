import { EventEmitter } from 'eventemitter3';
import { ListenerError } from './errors.js';

/** The event every emitter of this package reports throwing listeners on. */
export interface ListenerErrorEvents {
  /** A listener threw; `event` names the event it was called for. Emitting carried on. */
  listenerError: [error: ListenerError];
}

type Listener = (...args: unknown[]) => void;

/**
 * An EventEmitter whose `emit` never throws: each listener runs in its own try/catch, so one that
 * throws neither skips the listeners after it nor escapes into the emitter's probe or reconcile
 * loop (where it would stop the loop or crash Node with an unhandled rejection). What it threw is
 * reported as a `listenerError` event, or as a process warning when nobody listens to those.
 * Listeners run with the emitter as `this`; the `context` argument of `on()` is not supported.
 */
export class GuardedEmitter<
  Events extends EventEmitter.ValidEventTypes & ListenerErrorEvents,
> extends EventEmitter<Events> {
  override emit<T extends EventEmitter.EventNames<Events>>(
    event: T,
    ...args: EventEmitter.EventArgs<Events, T>
  ): boolean {
    const listeners = this.listeners(event) as Listener[];
    for (const fn of listeners) {
      // What EventEmitter's own emit does for `once` listeners: drop them before calling them.
      this.removeListener(event, fn as EventEmitter.EventListener<Events, T>, undefined, true);
      try {
        fn.apply(this, args);
      } catch (err) {
        this.#report(String(event), err);
      }
    }
    return listeners.length > 0;
  }

  #report(event: string, thrown: unknown): void {
    const error = new ListenerError(event, { cause: thrown });
    const name = 'listenerError' as EventEmitter.EventNames<Events>;
    // A throwing listenerError listener has nobody left to tell: fall back to the warning.
    if (event === name || this.listenerCount(name) === 0) {
      process.emitWarning(error);
      return;
    }
    this.emit(name, ...([error] as EventEmitter.EventArgs<Events, typeof name>));
  }
}
