// The IANA zones the browser knows (Intl.supportedValuesOf), with the current choice first in
// line if the browser's list lacks it (e.g. "UTC" on some engines). The server checks the zone too.
export function timeZones(current: string): string[] {
  let all: string[] = [];
  try {
    all = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    all = [];
  }
  const set = new Set(all);
  for (const z of ["UTC", current]) if (z && !set.has(z)) all = [z, ...all];
  return all;
}
