import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { mcpFixtureServerPath, sequence, startStubLlm, waitFor, type RunningService, type StubLlm } from '@chatbot/testkit';
import { cardsServerPath, ordersServerPath, startHttpMcpServer, type HttpMcpServer } from '../test/mcp-servers';
import { newSessionId, startHarness, type DispatchHarness } from '../test/harness';

/**
 * llm-dispatch with tools from real MCP server processes: the example order server (stdio,
 * started by the worker), the cards server (streamable HTTP) and testkit's fixture server (a tool
 * that never answers, a tool list that changes), beside the real chat-log, qna-cache, persona and
 * gateway. Only the LLM is the stub, which speaks the OpenAI format.
 */
let harness: DispatchHarness;
let worker: RunningService;
let stub: StubLlm;
let cards: HttpMcpServer;
let counter = 0;

const cardsMapping = { message: 'message', card_list: 'card_list', related_questions: 'related_questions', login_required: 'login_required', tool_name: 'tool_name' };

beforeAll(async () => {
  stub = await startStubLlm();
  harness = await startHarness({ gateway: true }); // login binds a live session to a persona
  cards = await startHttpMcpServer('mcp-cards', cardsServerPath, { ...harness.env.env, LOG_LEVEL: 'silent' });
  const servers = [
    {
      name: 'orders',
      command: process.execPath,
      args: [ordersServerPath],
      env: { LOG_LEVEL: 'silent' },
      toolPrefix: 'orders_',
      identity: { customer_id: 'persona' },
      mapping: { '*': { message: 'summary', related_questions: { path: 'follow_ups', limit: 3 } } },
    },
    { name: 'cards', url: cards.url, toolPrefix: 'cards_', identity: { session_id: 'session' }, mapping: { '*': cardsMapping } },
    { name: 'fixture', command: process.execPath, args: [mcpFixtureServerPath], toolPrefix: 'fx_', timeoutMs: 1_000 },
  ];
  worker = await harness.startWorker({
    LLM_BASE_URL: stub.url,
    LLM_MODEL: 'stub-chat',
    MCP_SERVERS: JSON.stringify(servers),
    MCP_MAX_RETRIES: '1',
    MCP_BREAKER_FAILURES: '2',
    MCP_BREAKER_COOLDOWN_MS: '600000',
  });
  await waitFor('both tool servers listed', async () => {
    const health = (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as { mcp_servers?: Array<{ tools: string[] }> };
    return (health.mcp_servers ?? []).every((server) => server.tools.length > 0);
  }, 30_000, 200);
});

afterAll(async () => {
  await harness?.close();
  await cards?.process.stop('SIGTERM', 5_000);
  await stub?.close();
});

async function ask(text: string, sessionId = newSessionId()) {
  const messageId = `m-${(counter += 1)}`;
  const firstRequest = stub.requests.length;
  await harness.publishJob(sessionId, messageId, text);
  const reply = await harness.candidateFor(messageId, 30_000);
  return { reply, requests: stub.requests.slice(firstRequest) };
}

type RecordedRequest = StubLlm['requests'][number];
type WireMessage = { role: string; content: string | null };
const toolMessage = (request: RecordedRequest) =>
  JSON.parse(((request.messages ?? []) as WireMessage[]).filter((m) => m.role === 'tool').at(-1)?.content ?? '{}') as Record<string, unknown>;
const toolNamesOf = (request: RecordedRequest | undefined) =>
  ((request?.tools ?? []) as Array<{ function: { name: string; parameters: { properties?: object } } }>).map((tool) => tool.function.name);
const healthz = async () => (await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/healthz`)).json()) as { mcp_servers: Array<{ name: string; state: string; tools: string[]; circuit: string }> };

interface OrderView {
  order_id: string;
  customer_id: string;
  items: Array<{ name: string }>;
  delivery: { current_location: string | null; estimated_arrival: string | null };
}

/** What a model does with the tool's answer: it words the delivery state of the latest order. */
function deliveryAnswer(request: RecordedRequest) {
  const [latest] = toolMessage(request)['orders'] as OrderView[];
  return { text: `${latest!.items[0]!.name} 주문은 지금 ${latest!.delivery.current_location}에 있고, ${latest!.delivery.estimated_arrival}에 도착할 예정이에요.` };
}

describe('tools from MCP servers', () => {
  it("offers the servers' tools beside the built-in ones, without the arguments the worker fills", async () => {
    stub.setScript({ text: '안녕하세요!' });
    const { requests } = await ask('안녕하세요');
    expect(toolNamesOf(requests[0]).sort()).toEqual([
      'cards_consumption_recommend', 'cards_get_card_description', 'cards_get_card_recommendation', 'cards_query_faq_database', 'cards_query_term_database',
      'consumption_recommend', 'escalate_to_human', 'fx_add_tool', 'fx_echo', 'fx_wait_forever', 'get_card_description', 'get_card_recommendation',
      'orders_get_order', 'orders_list_orders', 'query_faq_database', 'query_term_database',
    ].sort());
    const tools = requests[0]!.tools as Array<{ function: { name: string; parameters: { properties: object } } }>;
    expect(tools.find((tool) => tool.function.name === 'orders_list_orders')!.function.parameters.properties).not.toHaveProperty('customer_id');
    expect(tools.find((tool) => tool.function.name === 'cards_consumption_recommend')!.function.parameters.properties).not.toHaveProperty('session_id');
  });

  it('answers "내 주문 어디쯤 왔어요?" from the order tool, with the signed-in customer\'s orders only', async () => {
    const sessionId = newSessionId();
    await harness.login(sessionId, 1);
    // The model even names another customer: the worker puts the signed-in one in its place.
    stub.setScript(sequence([{ toolCallIncremental: { name: 'orders_list_orders', arguments: { customer_id: '2' } } }, deliveryAnswer]));
    const { reply, requests } = await ask('내 주문 어디쯤 왔어요?', sessionId);
    expect(reply).toMatchObject({
      kind: 'answer',
      answer: {
        message: '무선 이어폰 주문은 지금 대전 허브 터미널에 있고, 2026-12-08에 도착할 예정이에요.',
        login_required: false,
        related_questions: ['주문 ORD-20261201-0001 자세히 보여줘', '주문 ORD-20261118-0042 자세히 보여줘'],
      },
    });
    expect(reply.answer.tool_name).toBeUndefined(); // not one of the seed client's tools
    const orders = toolMessage(requests[1]!)['orders'] as OrderView[];
    expect(new Set(orders.map((order) => order.customer_id))).toEqual(new Set(['1']));
  });

  it('asks for a login instead of calling the order tool for a session nobody signed in to', async () => {
    stub.setScript(sequence([{ toolCallIncremental: { name: 'orders_list_orders', arguments: {} } }, { text: '주문 조회는 로그인 후에 도와드릴게요.' }]));
    const { reply, requests } = await ask('내 주문 어디쯤 왔어요?');
    expect(toolMessage(requests[1]!)).toMatchObject({ error: 'login_required' });
    expect(reply.answer).toMatchObject({ message: '주문 조회는 로그인 후에 도와드릴게요.', login_required: true });
  });

  it('sends arguments that break the tool schema back to the model', async () => {
    stub.setScript(sequence([{ toolCallIncremental: { name: 'orders_get_order', arguments: { order: 'ORD-20261201-0001' } } }, { text: '주문 번호를 알려 주세요.' }]));
    const sessionId = newSessionId();
    await harness.login(sessionId, 1);
    const { reply, requests } = await ask('주문 상세 보여줘', sessionId);
    expect(toolMessage(requests[1]!)).toEqual({ error: 'invalid arguments', details: ["(root): must have required property 'order_id'"] });
    expect(reply.answer).toEqual({ message: '주문 번호를 알려 주세요.', login_required: false });
  });

  it('answers a cards tool call over MCP with data from the real qna-cache', async () => {
    const client = new Client({ name: 'another-assistant', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(cards.url)));
    try {
      const { tools } = await client.listTools();
      expect(tools.map((tool) => tool.name).sort()).toEqual(['consumption_recommend', 'get_card_description', 'get_card_recommendation', 'query_faq_database', 'query_term_database']);
      const result = await client.callTool({ name: 'query_term_database', arguments: { term: '리볼빙' } });
      expect(result.structuredContent).toMatchObject({
        tool_name: 'query_term_database',
        found: true,
        related_questions: ['최소결제비율이란?', '이월잔액이란?', '선결제란?'],
        data: { hits: [expect.objectContaining({ term: '리볼빙' })] },
      });
      expect(harness.calls).toContainEqual({ key: 'termSearch', payload: { query: '리볼빙', limit: 3 } });
    } finally {
      await client.close();
    }
  });

  it('maps a cards tool result to the frame like the built-in tool', async () => {
    stub.setScript(sequence([{ toolCallIncremental: { name: 'cards_query_term_database', arguments: { term: '리볼빙' } } }, { text: '리볼빙은 결제액 일부를 다음 달로 넘기는 제도예요.' }]));
    const { reply, requests } = await ask('리볼빙이 뭐야?');
    expect(reply.answer).toEqual({
      message: '리볼빙은 결제액 일부를 다음 달로 넘기는 제도예요.',
      login_required: false,
      related_questions: ['최소결제비율이란?', '이월잔액이란?', '선결제란?'],
      tool_name: 'query_term_database',
    });
    expect(toolMessage(requests[1]!)).toMatchObject({ hits: [expect.objectContaining({ term: '리볼빙' })] });
  });

  it('offers a tool the server adds once it says its list changed', async () => {
    stub.setScript(sequence([{ toolCallIncremental: { name: 'fx_add_tool', arguments: { name: 'track_parcel' } } }, { text: '추가했어요.' }]));
    await ask('도구를 하나 추가해 줘');
    await waitFor('the new tool in /healthz', async () => (await healthz()).mcp_servers.some((server) => server.tools.includes('fx_track_parcel')), 10_000, 100);
    stub.setScript({ text: '네.' });
    const { requests } = await ask('이제 뭐가 있어요?');
    expect(toolNamesOf(requests[0])).toContain('fx_track_parcel');
  });

  it('gives up on a tool that never answers, tells the model, and opens the circuit of its server', async () => {
    stub.setScript(sequence([{ toolCallIncremental: { name: 'fx_wait_forever', arguments: {} } }, { text: '지금은 그 기능을 쓸 수 없어요.' }]));
    const { reply, requests } = await ask('기다려 주세요');
    expect(toolMessage(requests[1]!)).toEqual({ error: 'tool unavailable', code: 'MCP_TIMEOUT' });
    expect(reply.answer).toEqual({ message: '지금은 그 기능을 쓸 수 없어요.', login_required: false });
    // two attempts of 1 s, two failures: the breaker of this server is open, the others are not
    const servers = (await healthz()).mcp_servers;
    expect(servers.find((server) => server.name === 'fixture')).toMatchObject({ state: 'ready', circuit: 'open' });
    expect(servers.find((server) => server.name === 'orders')).toMatchObject({ circuit: 'closed' });
    stub.setScript(sequence([{ toolCallIncremental: { name: 'fx_echo', arguments: { text: '안녕' } } }, { text: '잠시 후 다시 시도해 주세요.' }]));
    const refused = await ask('다시 해 볼래요?');
    expect(toolMessage(refused.requests[1]!)).toEqual({ error: 'tool unavailable', code: 'MCP_CIRCUIT_OPEN' });
    const metrics = await (await fetch(`http://127.0.0.1:${worker.ports['ops']}/metrics`)).text();
    expect(metrics).toMatch(/chatbot_llm_tool_calls_total\{[^}]*tool="fx_wait_forever"[^}]*outcome="error"[^}]*\} 1/);
  });
});
