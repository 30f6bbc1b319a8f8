/**
 * Reads one Prometheus counter or gauge from a service's /metrics (the ops port of its ready
 * line), summed over the series whose labels include `labels`. Null when the endpoint or the
 * metric is not there.
 */
export async function readMetric(opsPort: number, name: string, labels: Record<string, string> = {}): Promise<number | null> {
  let text: string;
  try {
    const response = await fetch(`http://127.0.0.1:${opsPort}/metrics`, { signal: AbortSignal.timeout(5_000) });
    text = await response.text();
  } catch {
    return null;
  }
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (!wanted.every((label) => line.includes(label))) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
