import { execFileSync } from 'node:child_process';
import { parse } from 'yaml';
import { fromRoot, readText } from './repo';

export interface ComposeService {
  image?: string;
  build?: { context: string; target?: string };
  command?: string[];
  restart?: string;
  env_file?: string | string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
  stop_grace_period?: string;
  [field: string]: unknown;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  [field: string]: unknown;
}

/**
 * Compose's variable substitution: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error},
 * ${VAR?error}, $VAR and $$ for a literal dollar, with `env` standing for the shell.
 */
export function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g,
    (_whole, dollar: string, name?: string, op?: string, arg?: string, bare?: string) => {
      if (dollar === '$') return '$';
      const key = (name ?? bare)!;
      const value = env[key];
      const unset = op?.startsWith(':') ? value === undefined || value === '' : value === undefined;
      if (!op || !unset) return value ?? '';
      if (op.endsWith('?')) throw new Error(`compose: ${key} is required: ${arg}`);
      return arg ?? '';
    });
}

export const composePath = fromRoot('docker-compose.yml');

/** docker-compose.yml as compose sees it with the given shell environment. */
export function loadCompose(env: Record<string, string> = {}): ComposeFile {
  return parse(interpolate(readText(composePath), env), { merge: true }) as ComposeFile;
}

/** Compose durations (`1m30s`, `225s`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`not a duration: ${text}`);
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0);
}

/**
 * `docker-compose config -q` (Debian's docker-compose 1.29; it validates and interpolates with no
 * container engine). Only the given variables are set, as in a clean shell. Returns its complaints.
 */
export function composeConfigErrors(file = composePath, vars: Record<string, string> = {}): string {
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...vars };
  try {
    execFileSync('docker-compose', ['--project-directory', fromRoot(), '-f', file, 'config', '-q'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { stderr?: string; status?: number };
    if (e.code === 'ENOENT') {
      throw new Error('docker-compose is not installed: the deploy tests validate docker-compose.yml with `docker-compose config`. ' +
        'Install it with `apt-get install -y --no-install-recommends docker-compose` (.ci/run does this when it is missing).');
    }
    return (e.stderr ?? e.message).trim();
  }
}
