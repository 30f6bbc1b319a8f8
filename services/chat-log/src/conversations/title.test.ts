import { titleFromMessage } from './title';

describe('titleFromMessage', () => {
  test('keeps a short message whole, on one line', () => {
    expect(titleFromMessage('  연회비가\n 얼마인가요?  ')).toBe('연회비가 얼마인가요?');
  });

  test('cuts a long message at a word boundary near 50 characters and marks the cut', () => {
    const title = titleFromMessage('What is the annual fee of the card I got last year and can it be waived for me?');
    expect(title).toBe('What is the annual fee of the card I got last year…');
    expect(titleFromMessage('What is the annual fee of the card I got in the previous year?')).toBe('What is the annual fee of the card I got in the…');
    expect(Array.from(title).length).toBeLessThanOrEqual(51);
  });

  test('cuts a long word-less text at 50 characters without splitting a character', () => {
    const title = titleFromMessage('가'.repeat(80) + '😀');
    expect(title).toBe('가'.repeat(50) + '…');
    expect(titleFromMessage('😀'.repeat(60))).toBe('😀'.repeat(50) + '…');
  });
});
