export { accessTokenEnv, type AccessTokenConfig } from './config';
export { KeyConfigError } from './keys';
export {
  AccessTokenError,
  createAccessTokenSigner,
  createAccessTokenVerifier,
  type AccessTokenSigner,
  type AccessTokenVerifier,
  type Caller,
} from './access-token';
export { loadJose, type Jose } from './jose.loader';
