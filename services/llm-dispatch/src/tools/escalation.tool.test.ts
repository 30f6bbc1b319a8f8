import { escalationDefinition } from './escalation.tool';

describe('escalationDefinition', () => {
  it('takes no arguments and names the handoff categories for the model to classify against', () => {
    const tool = escalationDefinition(['refund', '분실/도난']);
    expect(tool.function).toMatchObject({ name: 'escalate_to_human', parameters: { type: 'object', properties: {}, additionalProperties: false } });
    expect(tool.function.description).toContain('refund, 분실/도난');
    expect(escalationDefinition([]).function.description).not.toContain('topics');
  });
});
