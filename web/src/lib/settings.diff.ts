import type { ChatbotSettings } from '@chatbot/proto';

/** One field that differs between two versions of the settings, each side as text. */
export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface DiffLine {
  kind: 'same' | 'removed' | 'added';
  text: string;
}

/** The fields of two versions as lines of text (lists one item a line), the changed ones only. */
export function changedFields(before: ChatbotSettings | null, after: ChatbotSettings | null): FieldChange[] {
  const a = flatten(before);
  const b = flatten(after);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((field) => a[field] !== b[field])
    .map((field) => ({ field, before: a[field] ?? '', after: b[field] ?? '' }));
}

function flatten(settings: ChatbotSettings | null): Record<string, string> {
  if (!settings) return {};
  const { handoff, ...rest } = settings;
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(rest)) fields[key] = String(value);
  fields['handoff.keywords'] = handoff.keywords.join('\n');
  fields['handoff.categories'] = handoff.categories.join('\n');
  return fields;
}

/** A line diff (longest common subsequence): what a reviewer reads to see how a prompt changed. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before ? before.split('\n') : [];
  const b = after ? after.split('\n') : [];
  const common: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i]![j] = a[i] === b[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: 'same', text: a[i++]! });
      j++;
    } else if (common[i + 1]![j]! >= common[i]![j + 1]!) lines.push({ kind: 'removed', text: a[i++]! });
    else lines.push({ kind: 'added', text: b[j++]! });
  }
  while (i < a.length) lines.push({ kind: 'removed', text: a[i++]! });
  while (j < b.length) lines.push({ kind: 'added', text: b[j++]! });
  return lines;
}
