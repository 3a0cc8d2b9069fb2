// An async mutex. A Durable Object keeps taking requests while one of them awaits
// D1 or a fetch, so "one DO per doctor" alone does not serialize anything that
// awaits. Every read-check-write for a doctor's calendar runs inside run().
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    // Keep the chain alive whatever fn does; callers see their own result or error.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
