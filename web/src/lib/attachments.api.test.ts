import { formatBytes } from './attachments.api';

describe('formatBytes', () => {
  it('shows sizes the way the limit is configured (binary units)', () => {
    expect(formatBytes(20 * 1024 * 1024)).toBe('20 MB');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1024 * 1024)).toBe('1 MB');
  });
});
