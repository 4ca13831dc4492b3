/** A scheduler clock that moves only when a test says so: timers fire in order, deferred work runs on flush. */
import type { SchedulerClock } from '../../runtime/batching/types.js';

export class FakeClock implements SchedulerClock {
  time = 0;
  deferred: Array<() => void> = [];
  timers = new Map<number, { at: number; fn: () => void }>();
  timersSet = 0;
  private nextId = 1;

  now = () => this.time;
  setTimer = (delayMs: number, fn: () => void) => {
    const id = this.nextId++;
    this.timersSet++;
    this.timers.set(id, { at: this.time + delayMs, fn });
    return id;
  };
  clearTimer = (handle: unknown) => {
    this.timers.delete(handle as number);
  };
  defer = (fn: () => void) => {
    this.deferred.push(fn);
  };

  /** Runs deferred work (one I/O turn) until none is left. */
  flush(): void {
    while (this.deferred.length > 0) this.deferred.shift()!();
  }

  /** Moves time forward, firing due timers in order, flushing after each. */
  advance(ms: number): void {
    const until = this.time + ms;
    this.flush();
    for (;;) {
      const due = [...this.timers.entries()]
        .filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = Math.max(this.time, due[1].at);
      due[1].fn();
      this.flush();
    }
    this.time = until;
    this.flush();
  }

  pendingTimerAt(): number | undefined {
    const ats = [...this.timers.values()].map((t) => t.at);
    return ats.length ? Math.min(...ats) : undefined;
  }
}
