import { initialLang, words } from './i18n';

test('the language is the one the person picked, else the browser’s first one when Korean, else English', () => {
  expect(initialLang('en', ['ko-KR'])).toBe('en');
  expect(initialLang(null, ['ko-KR', 'en-US'])).toBe('ko');
  expect(initialLang(null, ['en-US', 'ko'])).toBe('en');
  expect(initialLang(null, ['fr-FR'])).toBe('en');
  expect(initialLang('xx', [])).toBe('en');
});

test('every word exists in both languages', () => {
  expect(Object.keys(words.ko).sort()).toEqual(Object.keys(words.en).sort());
  for (const lang of ['ko', 'en'] as const) for (const text of Object.values(words[lang])) expect(text.trim()).not.toBe('');
});
