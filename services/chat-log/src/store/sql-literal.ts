import { escapeLiteral } from 'pg';
import type { Prisma } from '../generated/prisma/client';

/**
 * A statement with its values written in as literals, for a batch that travels as one
 * simple-protocol query (sql.ts). Values are quoted by the driver's own `escapeLiteral` (an
 * `E'…'` string when they hold a backslash, so the result does not depend on
 * standard_conforming_strings); arrays become array literals, as the driver sends them as
 * parameters. The statement's casts (`::uuid[]`, `::jsonb`) type them exactly as before.
 */
export function inlined(statement: Prisma.Sql): string {
  const { strings, values } = statement;
  return strings.reduce((text, part, i) => text + part + (i < values.length ? literal(values[i]) : ''), '');
}

function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  return escapeLiteral(textOf(value));
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `{${value.map(element).join(',')}}`;
  return JSON.stringify(value);
}

/** An array element: NULL bare, anything else double-quoted with `"` and `\` escaped. */
function element(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return `"${textOf(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
