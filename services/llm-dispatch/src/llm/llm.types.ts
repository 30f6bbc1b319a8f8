/** OpenAI chat-completions wire types: the subset this service sends and reads back. */

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system';
  content: string;
  name?: string;
}

export interface UserMessage {
  role: 'user';
  content: string;
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  /** `null` when the turn only carries tool calls. */
  content: string | null;
  tool_calls?: ToolCall[];
  name?: string;
}

export interface ToolMessage {
  role: 'tool';
  content: string;
  tool_call_id: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface ToolDefinition {
  type: 'function';
  function: {
    name: string;
    description?: string;
    /** A JSON Schema object describing the arguments. */
    parameters: Record<string, unknown>;
    strict?: boolean;
  };
}

export interface ChatRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  signal?: AbortSignal;
  /** Per request, over the client's configured model and max tokens (the live chatbot settings). */
  model?: string;
  maxTokens?: number;
  /** Sent only when given (else the server's default). */
  temperature?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Known values, but servers may send others: keep any string. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | (string & {});

export interface ResultToolCall {
  id: string;
  name: string;
  /** The raw JSON text as the model produced it; parsing is the caller's decision. */
  arguments: string;
}

export interface ChatResult {
  content: string;
  toolCalls: ResultToolCall[];
  finishReason: FinishReason;
  usage?: Usage;
}

export type DeltaListener = (text: string) => void;
