import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ToolName, type AnswerFields } from '@chatbot/proto';
import type { FieldMapping, FieldRule } from './mcp.config';

/** What a tool result becomes: frame fields for the user, and the text the model reads. */
export interface MappedResult {
  fields: AnswerFields;
  modelContent: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Follows a dotted path; a segment ending in `[]` maps over an array (`orders[].order_id`), and
 * then the result is the list of what was found.
 */
export function pick(value: unknown, path: string): unknown {
  let current: unknown[] = [value];
  let many = false;
  for (const segment of path.split('.')) {
    const spread = segment.endsWith('[]');
    const key = spread ? segment.slice(0, -2) : segment;
    current = current.flatMap((item) => {
      const next = key === '' ? item : isObject(item) ? item[key] : undefined;
      if (!spread) return [next];
      return Array.isArray(next) ? (next as unknown[]) : [];
    });
    many ||= spread;
  }
  return many ? current.filter((item) => item !== undefined && item !== null) : current[0];
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function ruleParts(rule: FieldRule): { path: string; template?: string; limit?: number } {
  return typeof rule === 'string' ? { path: rule } : rule;
}

function stringField(data: unknown, rule: FieldRule): string | undefined {
  const { path, template } = ruleParts(rule);
  const raw = pick(data, path);
  const text = Array.isArray(raw) ? raw.map(textOf).filter((t) => t !== undefined).join('\n') : textOf(raw);
  if (text === undefined || text === '') return undefined;
  return template ? template.replaceAll('{}', text) : text;
}

function listField(data: unknown, rule: FieldRule): string[] | undefined {
  const { path, template, limit } = ruleParts(rule);
  const raw = pick(data, path);
  const items = (Array.isArray(raw) ? raw : [raw]).map(textOf).filter((t): t is string => t !== undefined && t !== '');
  const written = template ? items.map((item) => template.replaceAll('{}', item)) : items;
  const kept = limit ? written.slice(0, limit) : written;
  return kept.length > 0 ? kept : undefined;
}

/** The structured content, or the JSON a text block holds (servers that answer only in text). */
function dataOf(result: CallToolResult, text: string): unknown {
  if (result.structuredContent) return result.structuredContent;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { text };
  }
}

/**
 * Maps one result by its declared mapping. Without a mapping the frame carries no metadata and
 * the tool's text stands in only when the model writes nothing. `tool_name` is kept only when it
 * names one of the frame's known tools (the seed client keys its rendering on them).
 */
export function mapToolResult(result: CallToolResult, mapping: FieldMapping | undefined, maxModelChars: number): MappedResult {
  const text = result.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('\n');
  const data = dataOf(result, text);
  const modelText = text !== '' ? text : JSON.stringify(result.structuredContent ?? {});
  const modelContent = (result.isError ? JSON.stringify({ error: modelText }) : modelText).slice(0, maxModelChars);
  const fields: AnswerFields = {
    message: (mapping?.message && stringField(data, mapping.message)) || text,
    login_required: mapping?.login_required ? pick(data, ruleParts(mapping.login_required).path) === true : false,
  };
  if (result.isError) return { fields, modelContent };
  const cardList = mapping?.card_list && listField(data, mapping.card_list);
  const related = mapping?.related_questions && listField(data, mapping.related_questions);
  const toolName = ToolName.safeParse(mapping?.tool_name && stringField(data, mapping.tool_name));
  return {
    fields: {
      ...fields,
      ...(cardList ? { card_list: cardList } : {}),
      ...(related ? { related_questions: related } : {}),
      ...(toolName.success ? { tool_name: toolName.data } : {}),
    },
    modelContent,
  };
}
