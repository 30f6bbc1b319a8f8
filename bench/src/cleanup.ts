/**
 * What must be stopped if the run is interrupted: service, infrastructure and helper processes
 * run in their own process groups (so a terminal's Ctrl-C does not reach them) and would outlive
 * the harness. Each start registers its stop; `stopEverything` runs them newest first.
 */
const stops = new Set<() => Promise<unknown>>();

export function onInterrupt(stop: () => Promise<unknown>): () => void {
  stops.add(stop);
  return () => stops.delete(stop);
}

export async function stopEverything(): Promise<void> {
  const pending = [...stops].reverse();
  stops.clear();
  for (const stop of pending) await stop().catch(() => undefined);
}
