import { z } from 'zod';

/**
 * Where a frame field comes from in a tool's result: a path into its structured content
 * (`orders[].order_id`: `[]` maps over an array), optionally written into a template (`{}` is the
 * value) and cut to `limit` entries.
 */
export const FieldRule = z.union([
  z.string().min(1),
  z.object({ path: z.string().min(1), template: z.string().includes('{}').optional(), limit: z.number().int().positive().optional() }),
]);
export type FieldRule = z.infer<typeof FieldRule>;

/** Frame fields a tool's result fills; unmapped ones stay unset (the model's text is the message). */
export const FieldMapping = z.object({
  message: FieldRule.optional(),
  card_list: FieldRule.optional(),
  related_questions: FieldRule.optional(),
  login_required: FieldRule.optional(),
  tool_name: FieldRule.optional(),
}).strict();
export type FieldMapping = z.infer<typeof FieldMapping>;

/** Where a hidden argument's value comes from: the job's session, or the persona it is signed in as. */
export const IdentitySource = z.enum(['session', 'persona']);
export type IdentitySource = z.infer<typeof IdentitySource>;

export const McpServerConfig = z.object({
  /** Names the server in logs, metrics and /healthz. */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'letters, digits, - and _ (at most 32)'),
  /** Streamable HTTP endpoint, e.g. http://127.0.0.1:8011/mcp … */
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
  /** … or a command the worker starts and speaks to on stdin/stdout. */
  command: z.string().min(1).optional(),
  args: z.array(z.string()).default([]),
  /** Extra environment for a command (it gets PATH, HOME and the like, not the worker's secrets). */
  env: z.record(z.string(), z.string()).default({}),
  cwd: z.string().optional(),
  /** HTTP headers, e.g. an Authorization the server wants. */
  headers: z.record(z.string(), z.string()).default({}),
  /** Put before each tool name the model sees, to keep names apart from the built-in tools. */
  toolPrefix: z.string().regex(/^[A-Za-z0-9_-]*$/).default(''),
  /** Arguments the worker fills from the job and hides from the model: `{"customer_id": "persona"}`. */
  identity: z.record(z.string(), IdentitySource).default({}),
  /** Per tool (the server's name, or `*` for every tool): frame fields from its result. */
  mapping: z.record(z.string(), FieldMapping).default({}),
  /** This server's per-attempt timeout, instead of MCP_TIMEOUT_MS. */
  timeoutMs: z.number().int().positive().optional(),
}).strict().refine((server) => (server.url === undefined) !== (server.command === undefined), {
  error: 'give exactly one of url and command',
});
export type McpServerConfig = z.infer<typeof McpServerConfig>;

/** MCP_SERVERS: a JSON array of servers; names must be unique. */
export const mcpServersEnv = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: 'custom', message: 'must be a JSON array of servers' });
      return z.NEVER;
    }
  })
  .pipe(z.array(McpServerConfig))
  .refine((servers) => new Set(servers.map((server) => server.name)).size === servers.length, { error: 'server names must be unique' })
  .default([]);
