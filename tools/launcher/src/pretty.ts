/**
 * Readable lines for a terminal: every service writes pino JSON lines, which the launcher
 * collects; on a terminal each becomes `time  name  LEVEL  message  key=value …`. Lines that are
 * not JSON (nats-server, Postgres) keep their text, with their noise (startup banners, routine
 * LOG lines) left out.
 */
export interface Colours {
  dim(text: string): string;
  level(level: string, text: string): string;
  bold(text: string): string;
}

const code = (open: number) => (text: string) => `\u001b[${open}m${text}\u001b[0m`;
const LEVEL_COLOURS: Record<string, (text: string) => string> = {
  trace: code(90),
  debug: code(90),
  info: code(32),
  warn: code(33),
  error: code(31),
  fatal: code(41),
};

export const ansi: Colours = {
  dim: code(2),
  bold: code(1),
  level: (level, text) => (LEVEL_COLOURS[level] ?? ((t: string) => t))(text),
};

export const plain: Colours = { dim: (t) => t, bold: (t) => t, level: (_, t) => t };

/** Fields every line has or that the prefix already shows. */
const SHOWN = new Set(['level', 'time', 'service', 'msg', 'pid', 'hostname', 'err']);
const NAME_WIDTH = 14;

/** One child line as text for a terminal, or null when it is noise not worth a line. */
export function prettyLine(name: string, line: string, colours: Colours): string | null {
  const entry = parseJson(line);
  if (!entry) return foreignLine(name, line, colours);
  const level = typeof entry.level === 'string' ? entry.level : 'info';
  const time = typeof entry.time === 'string' ? clock(entry.time) : clock(new Date().toISOString());
  const fields = Object.entries(entry)
    .filter(([key]) => !SHOWN.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  const error = errorText(entry.err);
  const text = [String(entry.msg ?? ''), fields.length ? colours.dim(fields.join(' ')) : ''].filter(Boolean).join('  ');
  return `${colours.dim(time)} ${name.padEnd(NAME_WIDTH)} ${colours.level(level, level.toUpperCase().padEnd(5))} ${text}${error}`;
}

function parseJson(line: string): Record<string, unknown> | null {
  if (!line.startsWith('{')) return null;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** `2026-12-07T16:40:00.123Z` → `16:40:00` in local time. */
function clock(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toTimeString().slice(0, 8);
}

function errorText(err: unknown): string {
  if (typeof err !== 'object' || err === null) return '';
  const { message, stack } = err as { message?: string; stack?: string };
  const body = stack ?? message ?? JSON.stringify(err);
  return `\n${body.split('\n').map((l) => `    ${l}`).join('\n')}`;
}

/**
 * nats-server: `[pid] date time [INF] text`; Postgres: `date time UTC [pid] LOG:  text`. Only
 * warnings and errors are shown: the launcher says itself when each server is ready.
 */
function foreignLine(name: string, line: string, colours: Colours): string | null {
  const nats = line.match(/^\[\d+\] \S+ \S+ \[(INF|WRN|ERR|FTL|DBG|TRC)\] (.*)$/);
  const postgres = line.match(/^\S+ \S+ \S+ \[\d+\] (LOG|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|STATEMENT):\s+(.*)$/);
  const [level, text] = nats ? [natsLevel(nats[1]), nats[2]] : postgres ? [postgresLevel(postgres[1]), postgres[2]] : ['info', line];
  if ((nats || postgres) && (level === 'info' || level === 'debug')) return null;
  const time = new Date().toTimeString().slice(0, 8);
  return `${colours.dim(time)} ${name.padEnd(NAME_WIDTH)} ${colours.level(level, level.toUpperCase().padEnd(5))} ${text}`;
}

const natsLevel = (tag: string) => ({ WRN: 'warn', ERR: 'error', FTL: 'fatal', INF: 'info' })[tag] ?? 'debug';
const postgresLevel = (tag: string) =>
  ({ WARNING: 'warn', ERROR: 'error', FATAL: 'fatal', PANIC: 'fatal', LOG: 'info' })[tag] ?? 'debug';
