import { AnswerCache } from './answer.cache';

const cache = new AnswerCache({
  faqs: [
    { faqId: 'FAQ-058', category: '분실/도난', question: '카드를 잃어버렸을 때 어떻게 신고하나요?', answer: '즉시 분실신고 해 주세요.' },
    { faqId: 'FAQ-900', category: '기타', question: 'DCC', answer: 'FAQ가 용어보다 먼저입니다.' },
  ],
  terms: [
    { termId: 'TERM-004', term: '리볼빙', english: 'Revolving', definition: '결제대금의 일부만 내고 나머지는 이월하는 방식입니다.' },
    { termId: 'TERM-011', term: 'DCC', english: 'Dynamic Currency Conversion', definition: '해외원화결제' },
    { termId: 'TERM-999', term: '영문 없음', english: null, definition: '정의' },
  ],
});

test('answers an FAQ question in the seed format whatever its spacing, case or Unicode form', () => {
  const text = '  카드를   잃어버렸을 때\n어떻게 신고하나요？ '.normalize('NFD');
  expect(cache.lookup(text)).toEqual({
    kind: 'faq',
    id: 'FAQ-058',
    category: '분실/도난',
    answer: {
      message: '[분실/도난]\n\n질문: 카드를 잃어버렸을 때 어떻게 신고하나요?\n\n답변: 즉시 분실신고 해 주세요.',
      login_required: false,
    },
  });
});

test('answers a term with its English name in bold-term format, or without it when missing', () => {
  expect(cache.lookup('리볼빙')?.answer.message).toBe('**리볼빙** (Revolving)\n\n결제대금의 일부만 내고 나머지는 이월하는 방식입니다.');
  expect(cache.lookup('영문  없음')?.answer.message).toBe('**영문 없음**\n\n정의');
});

test('prefers the FAQ when a question equals a term', () => {
  expect(cache.lookup('ｄｃｃ')).toMatchObject({ kind: 'faq', id: 'FAQ-900' });
});

test('misses anything that is not an exact question or term', () => {
  expect(cache.lookup('리볼빙이 뭐야')).toBeUndefined();
  expect(cache.lookup('카드를 잃어버렸어요')).toBeUndefined();
});
