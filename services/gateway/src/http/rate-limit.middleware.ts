import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import type { AccessTokenVerifier } from '@chatbot/auth';
import { errorCatalogue } from '@chatbot/proto';
import { BucketTable, admitAll, type BucketLimits } from '../limits/bucket.table';
import type { TokenBucket } from '../limits/token.bucket';
import { rememberVerified } from '../auth/caller.middleware';
import { clientAddress } from '../socket/client.address';

export interface RestRateLimits {
  perAddress: BucketLimits;
  /** Per account (bearer token) and per API key. */
  perCaller: BucketLimits;
  trustedProxyHops: number;
  /** Verifies a bearer token, so that a forged one cannot spend another account's budget; null when accounts are off. */
  verifier: AccessTokenVerifier | null;
}

/** Keys each table holds at most (a flood of new addresses drops the oldest, see BucketTable). */
const MAX_KEYS = 100_000;
const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/i;

/**
 * Every /api request spends a token of its address and, when the caller is known, of its account
 * or API key; with one of them empty it is answered 429 E4004 with `Retry-After` (seconds) before
 * its body is read. An unverifiable token counts against the address only. An API key is counted
 * by its hash without asking persona: a made-up key gets a bucket of its own, but still spends its
 * address's.
 */
export function restRateLimit(limits: RestRateLimits): RequestHandler {
  const addresses = new BucketTable(limits.perAddress, MAX_KEYS, performance.now());
  const callers = new BucketTable(limits.perCaller, MAX_KEYS, performance.now());
  return (req, res, next) => {
    callerKey(req, res, limits.verifier).then(
      (caller) => {
        const now = performance.now();
        const buckets: TokenBucket[] = [addresses.bucket(clientAddress(req, limits.trustedProxyHops), now)];
        if (caller) buckets.push(callers.bucket(caller, now));
        const waitMs = admitAll(buckets, now);
        if (waitMs === 0) return next();
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        res.locals.route = 'rate_limited';
        res.status(429).setHeader('Retry-After', String(seconds));
        res.json({ error: errorCatalogue.E4004.text, code: 'E4004', retry_after: seconds });
      },
      (error: unknown) => next(error),
    );
  };
}

/** The budget a request's credential spends; a verified token is kept for the route (verified once). */
async function callerKey(req: Request, res: Response, verifier: AccessTokenVerifier | null): Promise<string | undefined> {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const token = BEARER.exec(header)?.[1];
    if (!token || !verifier) return undefined;
    try {
      const verified = await verifier.verifyAccessToken(token);
      rememberVerified(res, token, verified);
      return `account:${verified.accountId}`;
    } catch {
      return undefined; // the route refuses it; here it counts against its address only
    }
  }
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return `api-key:${createHash('sha256').update(apiKey).digest('base64url')}`;
  return undefined;
}
