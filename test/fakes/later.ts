// Notifications a provider sends "after the current request finishes" (Google's push, Graph's
// change notifications), for the emulators.
//
// Each is started from a 0 ms timer, so it arrives asynchronously as the real ones do. But a
// timer belongs to the workerd request (IoContext) that set it: when the emulator is called from
// a Durable Object call that returns at once (a disconnect's last DELETE, then its answer), the
// call's context ends and the timer never fires. Google and Graph would still send the
// notification; an emulator that dropped it would be unfaithful, and `settle()` would wait for it
// for ever. So settle() starts, from the test's own context, any whose timer has not fired
// within DROPPED_MS (far above a 0 ms timer's delay on a loaded machine, far below a test's budget).
const DROPPED_MS = 100;

interface Item {
  run: () => Promise<unknown>;
  at: number;
  started: boolean;
}

export class Later {
  private waiting = new Set<Item>();
  private running = new Set<Promise<unknown>>();

  /** Runs `run` after the current request, like the provider's asynchronous delivery. */
  queue(run: () => Promise<unknown>) {
    const item: Item = { run, at: Date.now(), started: false };
    this.waiting.add(item);
    setTimeout(() => this.start(item), 0);
  }

  /** Waits until every queued delivery was made (starting any whose timer was dropped). */
  async settle() {
    for (;;) {
      if (this.running.size) {
        await Promise.allSettled([...this.running]);
        continue;
      }
      if (!this.waiting.size) return;
      await new Promise((r) => setTimeout(r, 5));
      // In queue order: a channel's notifications keep their message numbers' order.
      for (const item of [...this.waiting]) if (Date.now() - item.at >= DROPPED_MS) this.start(item);
    }
  }

  private start(item: Item) {
    if (item.started) return;
    item.started = true;
    this.waiting.delete(item);
    const p = item.run().catch(() => undefined);
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }
}
