/** The pages' words in Korean and English; the language comes from the browser until the person picks one. */

export type Lang = 'ko' | 'en';

const en = {
  title: 'Card help chat',
  language: 'Language',
  connecting: 'Connecting…',
  offline: 'Connection lost. Reconnecting… Your messages are kept and sent when it is back.',
  replaced: 'This conversation was opened in another tab. Reload to continue here.',
  transcript: 'Conversation',
  empty: 'Ask about cards, benefits or financial terms.',
  you: 'You',
  bot: 'Assistant',
  typing: 'The assistant is typing…',
  sending: 'sending',
  accepted: 'sent',
  stored: 'delivered',
  failed: 'not sent',
  cards: 'Cards',
  related: 'Related questions',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  feedbackFailed: 'Feedback could not be saved',
  input: 'Your message',
  placeholder: 'Type a question and press Enter',
  send: 'Send',
  newChat: 'New conversation',
  signIn: 'Sign in',
  signOut: 'Sign out',
  register: 'Create account',
  signInTitle: 'Sign in or create an account',
  haveAccount: 'I have an account',
  email: 'Email',
  password: 'Password',
  passwordHint: 'At least 8 characters',
  name: 'Name',
  oidc: 'Sign in with OpenID Connect',
  or: 'or',
  close: 'Close',
  signedInAs: 'Signed in as',
  authE4011: 'Invalid email or password.',
  authE4014: 'This email already has an account. Sign in instead.',
  authE4004: 'Too many attempts. Try again in {s} seconds.',
  authInvalid: 'Check the fields: a valid email, a name, and a password of at least 8 characters.',
  authOff: 'Accounts are not enabled on this server.',
  authOffline: 'The server could not be reached. Try again.',
  authFailed: 'Sign-in failed. Try again.',
  oidcFailed: 'Sign-in with the identity provider failed. Try again.',
  E5001: 'The answer is taking longer than usual; it will appear here.',
  E4004: 'Too many messages at once; sending again shortly.',
  E5006: 'The assistant could not take the message yet; sending again shortly.',
  error: 'The message was refused',
  resync: 'Some earlier answers could not be restored.',
  consoleTitle: "Agents' console",
  navChat: 'Chat',
  navConsole: 'Console',
  navDocs: 'API docs',
} as const;

export type Words = Record<keyof typeof en, string>;

const ko: Words = {
  title: '카드 상담 챗봇',
  language: '언어',
  connecting: '연결하는 중…',
  offline: '연결이 끊겼습니다. 다시 연결하는 중… 보낸 메시지는 보관했다가 연결되면 전송합니다.',
  replaced: '이 대화가 다른 탭에서 열렸습니다. 여기서 계속하려면 새로고침하세요.',
  transcript: '대화',
  empty: '카드, 혜택, 금융 용어에 대해 물어보세요.',
  you: '나',
  bot: '상담봇',
  typing: '상담봇이 입력하는 중…',
  sending: '보내는 중',
  accepted: '보냄',
  stored: '전달됨',
  failed: '보내지 못함',
  cards: '카드',
  related: '관련 질문',
  helpful: '도움이 됐어요',
  notHelpful: '도움이 안 됐어요',
  feedbackFailed: '평가를 저장하지 못했습니다',
  input: '메시지',
  placeholder: '질문을 입력하고 Enter를 누르세요',
  send: '보내기',
  newChat: '새 대화',
  signIn: '로그인',
  signOut: '로그아웃',
  register: '회원가입',
  signInTitle: '로그인 또는 회원가입',
  haveAccount: '이미 계정이 있어요',
  email: '이메일',
  password: '비밀번호',
  passwordHint: '8자 이상',
  name: '이름',
  oidc: 'OpenID Connect로 로그인',
  or: '또는',
  close: '닫기',
  signedInAs: '로그인 계정',
  authE4011: '이메일 또는 비밀번호가 올바르지 않습니다.',
  authE4014: '이미 가입된 이메일입니다. 로그인해 주세요.',
  authE4004: '시도가 너무 많습니다. {s}초 후에 다시 시도하세요.',
  authInvalid: '입력을 확인하세요: 올바른 이메일, 이름, 8자 이상의 비밀번호가 필요합니다.',
  authOff: '이 서버에서는 계정 기능이 꺼져 있습니다.',
  authOffline: '서버에 연결할 수 없습니다. 다시 시도하세요.',
  authFailed: '로그인하지 못했습니다. 다시 시도하세요.',
  oidcFailed: '외부 계정 로그인에 실패했습니다. 다시 시도하세요.',
  E5001: '답변이 평소보다 늦어지고 있습니다. 도착하면 여기에 표시됩니다.',
  E4004: '메시지가 너무 많습니다. 잠시 후 다시 보냅니다.',
  E5006: '상담봇이 아직 메시지를 받지 못했습니다. 잠시 후 다시 보냅니다.',
  error: '메시지가 거부되었습니다',
  resync: '이전 답변 일부를 복원하지 못했습니다.',
  consoleTitle: '상담원 콘솔',
  navChat: '채팅',
  navConsole: '콘솔',
  navDocs: 'API 문서',
};

export const words: Record<Lang, Words> = { en, ko };

const KEY = 'chat.lang';

export function initialLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'ko' || stored === 'en') return stored;
  return browser[0]?.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

export function loadLang(): Lang {
  return initialLang(localStorage.getItem(KEY), navigator.languages ?? [navigator.language]);
}

export function saveLang(lang: Lang): void {
  localStorage.setItem(KEY, lang);
  document.documentElement.lang = lang;
}
