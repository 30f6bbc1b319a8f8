import { ConfigError } from '@chatbot/runtime';
import { readConfig } from '../../config';
import { accountSettings } from '../accounts.app';

// OPS_PORT has no default; every service's process is given one
const base = { OPS_PORT: '0' };
const complete = {
  ...base,
  OIDC_ISSUER: 'https://idp.example.com',
  OIDC_CLIENT_ID: 'chatbot',
  OIDC_CLIENT_SECRET: 'a-client-secret-of-some-length',
  OIDC_REDIRECT_URL: 'https://chat.example.com/api/auth/oidc/callback',
};

test('sign-in with a provider is off while OIDC_ISSUER is unset', () => {
  expect(accountSettings(readConfig(base)).oidc).toBeNull();
});

test('a complete configuration turns it on, with the default scopes', () => {
  expect(accountSettings(readConfig(complete)).oidc).toEqual({
    issuer: 'https://idp.example.com',
    clientId: 'chatbot',
    clientSecret: 'a-client-secret-of-some-length',
    redirectUrl: 'https://chat.example.com/api/auth/oidc/callback',
    scopes: 'openid email profile',
    clockToleranceSeconds: expect.any(Number),
  });
});

test('an issuer without the client and redirect URL fails at start-up, naming each missing variable', () => {
  const error = (() => {
    try {
      readConfig({ ...base, OIDC_ISSUER: 'https://idp.example.com' });
    } catch (caught) {
      return caught;
    }
    return null;
  })();
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as ConfigError).problems).toEqual([
    'OIDC_CLIENT_ID: required when OIDC_ISSUER is set',
    'OIDC_CLIENT_SECRET: required when OIDC_ISSUER is set',
    'OIDC_REDIRECT_URL: required when OIDC_ISSUER is set',
  ]);
});

test('a short client secret and scopes without openid are refused', () => {
  expect(() => readConfig({ ...complete, OIDC_CLIENT_SECRET: 'short' })).toThrow(/OIDC_CLIENT_SECRET: at least 16 characters/);
  expect(() => readConfig({ ...complete, OIDC_SCOPES: 'email profile' })).toThrow(/OIDC_SCOPES: must include openid/);
  expect(readConfig({ ...complete, OIDC_SCOPES: 'profile openid' }).OIDC_SCOPES).toBe('profile openid');
});
