import { ansi, plain, prettyLine } from './pretty';

/**
 * What `npm start` prints. On a terminal: readable lines, progress steps and where to go at the
 * end. Otherwise, or with LOG_FORMAT=json: JSON lines only (the services' own, untouched, and the
 * launcher's in the same shape), for a log collector. LOG_FORMAT=pretty forces the readable form.
 */
export interface Output {
  readonly pretty: boolean;
  /** A line a child process wrote. */
  child(name: string, line: string): void;
  /** The launcher's own news; `fields` go into the JSON line. */
  say(msg: string, fields?: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): void;
  /** A step of the start-up (building…, starting NATS…): a marked line on a terminal. */
  step(msg: string, fields?: Record<string, unknown>): void;
  /** Lines for people only (the closing "where to go"); skipped in JSON. */
  banner(lines: string[]): void;
}

export type LogFormat = 'pretty' | 'json';

export function logFormat(env: NodeJS.ProcessEnv, isTTY: boolean): LogFormat {
  if (env.LOG_FORMAT === 'json' || env.LOG_FORMAT === 'pretty') return env.LOG_FORMAT;
  return isTTY ? 'pretty' : 'json';
}

export function createOutput(format: LogFormat, write: (text: string) => void, colour: boolean): Output {
  if (format === 'json') return jsonOutput(write);
  const colours = colour ? ansi : plain;
  const own = (text: string, level = 'info') =>
    write(`${colours.dim(new Date().toTimeString().slice(0, 8))} ${'launcher'.padEnd(14)} ${colours.level(level, level.toUpperCase().padEnd(5))} ${text}\n`);
  return {
    pretty: true,
    child(name, line) {
      const text = prettyLine(name, line, colours);
      if (text !== null) write(`${text}\n`);
    },
    say: (msg, _fields, level = 'info') => own(msg, level),
    step: (msg) => write(`${colours.bold(`▸ ${msg}`)}\n`),
    banner: (lines) => write(`\n${lines.map((l) => `  ${l}`).join('\n')}\n\n`),
  };
}

function jsonOutput(write: (text: string) => void): Output {
  const line = (level: string, service: string, msg: string, fields: Record<string, unknown> = {}) =>
    write(`${JSON.stringify({ level, time: new Date().toISOString(), service, msg, ...fields })}\n`);
  return {
    pretty: false,
    // A service's line is JSON already; a server's plain text is wrapped so every line is JSON.
    child: (name, text) => (text.startsWith('{') ? write(`${text}\n`) : line('info', name, text)),
    say: (msg, fields, level = 'info') => line(level, 'launcher', msg, fields),
    step: (msg, fields) => line('info', 'launcher', msg, fields),
    banner: () => {},
  };
}
