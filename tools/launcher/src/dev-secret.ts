import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Accounts need a signing key shared by persona and the gateway. When the environment gives none,
 * `npm start` makes a random HS256 secret once and keeps it beside the data (mode 600), so tokens
 * outlive a restart like the accounts do. A deployment sets JWT_SECRET or a key pair itself.
 */
export function devJwtSecret(dataDir: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (env.JWT_SECRET || env.JWT_PRIVATE_KEY || env.JWT_PUBLIC_KEY) return {};
  const file = join(dataDir, 'jwt-secret');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
  }
  return { JWT_SECRET: readFileSync(file, 'utf8').trim() };
}
