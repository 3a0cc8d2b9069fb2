// Failure injection: one-shot faults (429/503 with Retry-After) answered instead of the
// request, and lost answers: the request is carried out, but its answer never reaches the
// client (timeout / dropped connection).
import { gerr } from "./http";
import type { Fault } from "./types";

export class Faults {
  private faults: Fault[] = [];
  private lost: ((r: Request) => boolean)[] = [];

  inject(f: Fault, times = 1) {
    for (let i = 0; i < times; i++) this.faults.push(f);
  }
  /** The request is carried out, but its answer never reaches the client (timeout / dropped connection). */
  loseResponse(match: (r: Request) => boolean, times = 1) {
    for (let i = 0; i < times; i++) this.lost.push(match);
  }
  clear() {
    this.faults.length = 0;
    this.lost.length = 0;
  }
  /** Whether this request's answer is to be lost (uses up the matching loseResponse). */
  losesAnswer(request: Request): boolean {
    const li = this.lost.findIndex((m) => m(request));
    if (li < 0) return false;
    this.lost.splice(li, 1);
    return true;
  }
  /** The first injected fault the request matches (used up), as Graph's error answer; else null. */
  take(request: Request): Response | null {
    const fi = this.faults.findIndex((f) => !f.match || f.match(request));
    if (fi >= 0) {
      const f = this.faults.splice(fi, 1)[0];
      return gerr(f.status, f.code, "Injected fault", f.retryAfter ? { "retry-after": f.retryAfter } : {});
    }
    return null;
  }
}
