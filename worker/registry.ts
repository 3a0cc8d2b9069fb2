// One slot the composition root (worker/features.ts) fills at start-up and the core reads: how the
// core uses features it does not import. Reading an empty slot throws, so a Worker entry or test
// set-up that forgot registerFeatures() fails loudly instead of, say, booking without invites.
export function registrySlot<T>(what: string) {
  let value: T | null = null;
  return {
    set(v: T): void {
      value = v;
    },
    get(): T {
      if (value === null) throw new Error(`no ${what} registered: call registerFeatures() (worker/features.ts) first`);
      return value;
    },
  };
}
