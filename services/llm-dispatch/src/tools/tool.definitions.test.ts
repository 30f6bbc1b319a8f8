import { parseToolCall, toolDefinitions, toolNames } from './tool.definitions';

describe('tool definitions sent to the model', () => {
  it('offers the seed five tools with JSON-schema object parameters', () => {
    expect(toolDefinitions.map((tool) => tool.function.name).sort()).toEqual([
      'consumption_recommend',
      'get_card_description',
      'get_card_recommendation',
      'query_faq_database',
      'query_term_database',
    ]);
    for (const tool of toolDefinitions) {
      expect(tool.type).toBe('function');
      expect(tool.function.description).toEqual(expect.any(String));
      expect(tool.function.parameters).toMatchObject({ type: 'object', additionalProperties: false });
      expect(tool.function.parameters).not.toHaveProperty('$schema');
    }
  });

  it('describes the required arguments of each tool', () => {
    const parameters = Object.fromEntries(toolDefinitions.map((tool) => [tool.function.name, tool.function.parameters]));
    expect(parameters['get_card_description']).toMatchObject({
      required: ['card_names'],
      properties: { card_names: { type: 'array', items: { type: 'string' }, minItems: 1 } },
    });
    expect(parameters['query_term_database']).toMatchObject({ required: ['term'] });
    expect(parameters['query_faq_database']).toMatchObject({ required: ['question'] });
    expect(parameters['get_card_recommendation']).toMatchObject({ required: ['need'] });
    expect(parameters['consumption_recommend']).toMatchObject({ properties: {} });
  });
});

describe('validating the arguments a model sends', () => {
  it('accepts valid arguments and trims them', () => {
    expect(parseToolCall('query_term_database', '{"term":"  리볼빙 "}')).toEqual({
      ok: true,
      call: { tool: 'query_term_database', args: { term: '리볼빙' } },
    });
    expect(parseToolCall('get_card_description', '{"card_names":["카드의정석2","the OPUS silver"]}')).toEqual({
      ok: true,
      call: { tool: 'get_card_description', args: { card_names: ['카드의정석2', 'the OPUS silver'] } },
    });
  });

  it('reads empty arguments as an empty object (consumption_recommend)', () => {
    expect(parseToolCall('consumption_recommend', '')).toEqual({ ok: true, call: { tool: 'consumption_recommend', args: {} } });
  });

  it('drops a session id the model invents: the session comes from the job', () => {
    const parsed = parseToolCall('consumption_recommend', '{"session_id":"someone-else"}');
    expect(parsed).toEqual({ ok: true, call: { tool: 'consumption_recommend', args: {} } });
  });

  it('refuses arguments that are not JSON', () => {
    expect(parseToolCall('query_faq_database', '{"question": "카드 분실')).toEqual({ ok: false, error: 'arguments are not valid JSON' });
  });

  it('refuses missing, empty or mistyped fields and names them', () => {
    const missing = parseToolCall('query_faq_database', '{}');
    expect(missing).toMatchObject({ ok: false, error: 'invalid arguments' });
    expect(!missing.ok && missing.details?.[0]).toMatch(/^question: /);
    expect(parseToolCall('query_term_database', '{"term":"   "}')).toMatchObject({ ok: false });
    expect(parseToolCall('get_card_description', '{"card_names":"카드의정석2"}')).toMatchObject({
      ok: false,
      details: expect.arrayContaining([expect.stringMatching(/^card_names: /)]),
    });
    expect(parseToolCall('get_card_description', '{"card_names":[]}')).toMatchObject({ ok: false });
  });

  it('refuses an unknown tool and lists the real ones', () => {
    const parsed = parseToolCall('get_weather', '{}');
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.error).toContain(toolNames.join(', '));
  });
});
