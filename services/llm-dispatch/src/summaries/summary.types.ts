import type { HistoryTurn } from '@chatbot/proto';

/** The four things an agent reads first. */
export interface SummaryText {
  issue: string;
  tried: string;
  open: string;
  category: string;
}

export interface SummaryInput {
  turns: HistoryTurn[];
  /** The handoff categories of the settings in force: a category is picked among them when one fits. */
  categories: string[];
}

/** Fields are bounded by the contract; longer text is cut with an ellipsis. */
export const SUMMARY_FIELD_MAX = 2000;
export const CATEGORY_MAX = 64;
export const DEFAULT_CATEGORY = 'general';

export function clip(text: string, max: number): string {
  const trimmed = text.trim().replace(/\s+/g, ' ');
  return trimmed.length > max ? `${trimmed.slice(0, max - 1)}…` : trimmed;
}
