/** A service's name and the last lines it logged (pino JSON, one object per line). */
export interface LoggedService {
  name: string;
  logs: readonly string[];
}

interface Group {
  count: number;
  first: string;
  last: string;
}

/** The warning and error lines of a service's log (kept past its stop, printed or stored). */
export function warningsOf(service: LoggedService): LoggedService {
  return { name: service.name, logs: service.logs.filter((line) => warning(parse(line))) };
}

/**
 * The warnings and errors the services logged, one line per service and message, most frequent
 * first: "47× gateway: message not accepted by the broker (21:44:39.610–21:44:41.200)". A failed
 * chaos test and the bench print it, so a run on a machine whose log files nobody can open still
 * tells the recovery path the services took.
 */
export function warningSummary(services: readonly LoggedService[], limit = 12): string[] {
  const groups = new Map<string, Group>();
  for (const service of services) {
    for (const line of service.logs) {
      const entry = parse(line);
      if (!entry || !warning(entry)) continue;
      const key = `${service.name}: ${entry.msg}`;
      const group = groups.get(key);
      if (group) {
        group.count++;
        if (entry.time < group.first) group.first = entry.time;
        if (entry.time > group.last) group.last = entry.time;
      } else groups.set(key, { count: 1, first: entry.time, last: entry.time });
    }
  }
  const sorted = [...groups].sort((a, b) => b[1].count - a[1].count || a[1].first.localeCompare(b[1].first));
  const lines = sorted.slice(0, limit).map(([key, g]) => `${g.count}× ${key} (${clock(g.first)}${g.last === g.first ? '' : `–${clock(g.last)}`})`);
  if (sorted.length > limit) lines.push(`and ${sorted.length - limit} other kinds of warning`);
  return lines;
}

const warning = (entry: { level: string } | null) => entry !== null && ['warn', 'error', 'fatal'].includes(entry.level);

function parse(line: string): { level: string; msg: string; time: string } | null {
  try {
    const entry = JSON.parse(line) as { level?: unknown; msg?: unknown; time?: unknown };
    return typeof entry.level === 'string' ? { level: entry.level, msg: String(entry.msg ?? ''), time: String(entry.time ?? '') } : null;
  } catch {
    return null; // a line that is not pino's (a stack trace printed by node itself)
  }
}

/** 2026-12-04T21:44:39.610Z → 21:44:39.610 */
const clock = (iso: string) => iso.slice(11, 23);
