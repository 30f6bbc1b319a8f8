import Ajv, { type ValidateFunction } from 'ajv';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { ToolDefinition } from '../../llm/llm.types';
import type { FieldMapping, IdentitySource, McpServerConfig } from './mcp.config';

/** One server tool as the model sees it, with what the worker needs to call it. */
export interface ExposedTool {
  /** The name the model calls: the server's `toolPrefix` + the tool's own name. */
  name: string;
  server: string;
  /** The tool's name on its server. */
  remoteName: string;
  definition: ToolDefinition;
  /** The tool's declared input schema, identity arguments included. */
  validate: ValidateFunction;
  identity: Record<string, IdentitySource>;
  mapping: FieldMapping | undefined;
  /** Read-only or idempotent by its annotations: safe to call again after a timeout. */
  retryable: boolean;
}

// Formats are annotations here (as in JSON Schema 2020-12 by default); unknown keywords are not errors.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });

type JsonObject = Record<string, unknown>;

/** The declared schema without the arguments the worker fills: the model must not see or set them. */
function modelParameters(schema: Tool['inputSchema'], hidden: string[]): JsonObject {
  const { $schema: _ignored, ...rest } = schema as JsonObject;
  const properties = { ...((rest['properties'] as JsonObject | undefined) ?? {}) };
  for (const name of hidden) delete properties[name];
  const required = ((rest['required'] as string[] | undefined) ?? []).filter((name) => !hidden.includes(name));
  return { ...rest, type: 'object', properties, ...(required.length > 0 ? { required } : { required: undefined }) };
}

function compile(schema: Tool['inputSchema']): ValidateFunction {
  const { $schema: _ignored, ...rest } = schema as JsonObject;
  return ajv.compile(rest);
}

/** The server's tools as exposed tools; a tool whose schema does not compile is left out, with the reason. */
export function exposeTools(server: McpServerConfig, tools: Tool[], onSkip: (tool: string, reason: string) => void): ExposedTool[] {
  const exposed: ExposedTool[] = [];
  for (const tool of tools) {
    const name = `${server.toolPrefix}${tool.name}`;
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) {
      onSkip(tool.name, `"${name}" is not a valid function name for the model`);
      continue;
    }
    let validate: ValidateFunction;
    try {
      validate = compile(tool.inputSchema);
    } catch (error) {
      onSkip(tool.name, `input schema does not compile: ${(error as Error).message}`);
      continue;
    }
    const identity = Object.fromEntries(Object.entries(server.identity).filter(([argument]) => argument in (tool.inputSchema.properties ?? {})));
    const parameters = JSON.parse(JSON.stringify(modelParameters(tool.inputSchema, Object.keys(identity)))) as JsonObject;
    exposed.push({
      name,
      server: server.name,
      remoteName: tool.name,
      definition: { type: 'function', function: { name, description: tool.description ?? tool.title ?? tool.name, parameters } },
      validate,
      identity,
      mapping: server.mapping[tool.name] ?? server.mapping['*'],
      retryable: tool.annotations?.readOnlyHint === true || tool.annotations?.idempotentHint === true,
    });
  }
  return exposed;
}

/** "path: message" lines, as the built-in tools word their refusals. */
export function validationDetails(validate: ValidateFunction): string[] {
  return (validate.errors ?? []).map((error) => {
    const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    const extra = error.keyword === 'additionalProperties' ? ` (${String((error.params as { additionalProperty?: string }).additionalProperty)})` : '';
    return `${path}: ${error.message ?? error.keyword}${extra}`;
  });
}
