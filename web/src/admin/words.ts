import type { Lang } from '../lib/i18n';

/** The console's own words in Korean and English (the shared ones are in lib/i18n.ts). */
const en = {
  consoleSignIn: 'Agents and admins sign in here.',
  notAgent: 'This account is not an agent or an admin. Ask an admin for the agent role.',
  sections: 'Console sections',
  apiKeys: 'API keys',
  keyName: 'Name',
  keyScopes: 'Scopes',
  scopeChat: 'chat (the user endpoints)',
  scopeAdmin: 'admin (the admin endpoints)',
  keyExpiresDays: 'Expires after (days)',
  createKey: 'Create key',
  newKeyTitle: 'Your new key',
  newKeyOnce: 'Copy it now: it is shown only once and cannot be shown again.',
  prefix: 'Prefix',
  created: 'Created',
  expires: 'Expires',
  lastUsed: 'Last used',
  status: 'Status',
  active: 'active',
  revoked: 'revoked',
  expired: 'expired',
  never: 'never',
  revoke: 'Revoke',
  revokeConfirm: 'Revoke "{name}"? Clients using it stop working within a minute.',
  yesRevoke: 'Yes, revoke',
  cancel: 'Cancel',
  noKeys: 'No API keys yet.',
  actions: 'Actions',
  requestFailed: 'The request failed ({code}).',
  adminsOnly: 'Only admins manage API keys.',
} as const;

export type ConsoleWords = Record<keyof typeof en, string>;

const ko: ConsoleWords = {
  consoleSignIn: '상담원과 관리자는 여기에서 로그인합니다.',
  notAgent: '이 계정은 상담원이나 관리자가 아닙니다. 관리자에게 상담원 권한을 요청하세요.',
  sections: '콘솔 메뉴',
  apiKeys: 'API 키',
  keyName: '이름',
  keyScopes: '권한 범위',
  scopeChat: 'chat (사용자 API)',
  scopeAdmin: 'admin (관리자 API)',
  keyExpiresDays: '유효 기간(일)',
  createKey: '키 만들기',
  newKeyTitle: '새 키',
  newKeyOnce: '지금 복사하세요. 이 키는 한 번만 표시되며 다시 볼 수 없습니다.',
  prefix: '접두어',
  created: '만든 날',
  expires: '만료',
  lastUsed: '마지막 사용',
  status: '상태',
  active: '사용 중',
  revoked: '폐기됨',
  expired: '만료됨',
  never: '없음',
  revoke: '폐기',
  revokeConfirm: '"{name}" 키를 폐기할까요? 이 키를 쓰는 클라이언트는 1분 안에 작동을 멈춥니다.',
  yesRevoke: '폐기하기',
  cancel: '취소',
  noKeys: '아직 API 키가 없습니다.',
  actions: '작업',
  requestFailed: '요청이 실패했습니다 ({code}).',
  adminsOnly: 'API 키는 관리자만 관리합니다.',
};

export const consoleWords: Record<Lang, ConsoleWords> = { en, ko };

/** A date and time as the reader's language writes it. */
export function when(lang: Lang, iso: string | null): string {
  return iso ? new Date(iso).toLocaleString(lang === 'ko' ? 'ko-KR' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '';
}
