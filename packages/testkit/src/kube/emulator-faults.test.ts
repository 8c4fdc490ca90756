// The faults part against stand-ins for the server and the watches: what an outage does to the
// listener and the connections, and that coming back from a refused port is an API restart (the
// watch cache reset) while a reset-only outage is not.
import { describe, expect, it } from 'vitest';
import { EmulatorFaults, type FaultableServer } from './emulator-faults.js';
import { FaultInjector } from './fault-injector.js';
import { OpenWatches } from './open-watches.js';
import { parseRequestInfo } from './request-info.js';
import type { CutMode } from './watch-stream.js';

function world() {
  const calls: string[] = [];
  const server: FaultableServer = {
    stopListening: () => calls.push('stopListening'),
    listenAgain: async () => {
      calls.push('listenAgain');
    },
    setResetIncoming: (on) => calls.push(`resetIncoming:${on}`),
    resetAll: () => calls.push('resetAll'),
    goAway: () => {
      calls.push('goAway');
      return 2;
    },
  };
  const watches = new OpenWatches<{ cut(mode: CutMode): void; sendBookmark(): void }>();
  const requests = new FaultInjector();
  const faults = new EmulatorFaults({
    requests,
    server,
    watches,
    onRestart: () => calls.push('restart'),
  });
  return { calls, watches, requests, faults };
}

describe('EmulatorFaults', () => {
  it("'refuse': the listener closes and connections reset; up again is a restart, then a listen", async () => {
    const w = world();
    await w.faults.setDown(true);
    expect(w.faults.downMode).toBe('refuse');
    expect(w.calls).toEqual(['stopListening', 'resetAll']);
    await w.faults.setDown(true, 'reset'); // already down: no change
    expect(w.calls).toEqual(['stopListening', 'resetAll']);
    await w.faults.setDown(false);
    // The watch cache is reset before anyone can connect again.
    expect(w.calls).toEqual(['stopListening', 'resetAll', 'restart', 'listenAgain']);
    expect(w.faults.isDown).toBe(false);
  });

  it("'reset': still listening, every connection reset; caches survive", async () => {
    const w = world();
    await w.faults.setDown(true, 'reset');
    expect(w.calls).toEqual(['resetIncoming:true', 'resetAll']);
    await w.faults.setDown(false);
    expect(w.calls).toEqual(['resetIncoming:true', 'resetAll', 'resetIncoming:false']);
    await w.faults.setDown(false); // already up: nothing
    expect(w.calls).toHaveLength(3);
  });

  it('a listen that fails keeps the API down, so a retry can bring it up', async () => {
    const w = world();
    let fail = true;
    const faults = new EmulatorFaults({
      requests: w.requests,
      watches: w.watches,
      onRestart: () => undefined,
      server: {
        stopListening: () => undefined,
        setResetIncoming: () => undefined,
        resetAll: () => undefined,
        goAway: () => 0,
        listenAgain: async () => {
          if (fail) throw new Error('EADDRINUSE');
        },
      },
    });
    await faults.setDown(true);
    await expect(faults.setDown(false)).rejects.toThrow('EADDRINUSE');
    expect(faults.isDown).toBe(true);
    fail = false;
    await faults.setDown(false);
    expect(faults.isDown).toBe(false);
  });

  it('after stop() (the emulator closed) an outage in flight ends without listening again', async () => {
    const w = world();
    await w.faults.setDown(true);
    w.faults.stop();
    await w.faults.setDown(false);
    expect(w.calls).toEqual(['stopListening', 'resetAll']);
  });

  it('cuts every open watch with the mode asked for, and passes GOAWAY to the server', () => {
    const w = world();
    const cuts: CutMode[] = [];
    for (let i = 0; i < 3; i++) {
      const watch = {
        cut: (mode: CutMode) => {
          cuts.push(mode);
          w.watches.remove(watch); // a watch leaves the set once it ended
        },
        sendBookmark: () => undefined,
      };
      w.watches.add(watch);
    }
    expect(w.faults.cutWatches()).toBe(3);
    expect(cuts).toEqual(['reset', 'reset', 'reset']);
    expect(w.watches.size).toBe(0);
    expect(w.faults.cutWatches('graceful')).toBe(0);
    expect(w.faults.goAway()).toBe(2);
  });

  it('request faults go to the injector the handler consults; clear() empties it', () => {
    const w = world();
    const get = parseRequestInfo('GET', new URL('https://e/api/v1/namespaces/default/pods/a'));
    w.faults.failNext(2, { status: 500 });
    w.faults.setLatency(50);
    expect(w.faults.pendingFailures).toBe(2);
    expect(w.requests.latencyFor(get)).toBe(50);
    expect(w.requests.take(get)?.kind).toBe('respond');
    w.faults.clear();
    expect(w.requests.take(get)).toBeUndefined();
    expect(w.requests.latencyFor(get)).toBe(0);
  });
});
