/**
 * OAuth2 client-credentials tokens for the Entity API (Metis's `entity-api-token-endpoint` and grant
 * parameters): fetched on first use, shared by concurrent callers, renewed shortly before expiry.
 */
import { z } from 'zod';
import { errors } from '../../errors/index.ts';

export interface ClientCredentialsOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** Extra form parameters of the grant (e.g. `scope`). */
  grantParams?: Record<string, string>;
  /** Renew this long before the token expires. Default 30 000 ms. */
  refreshMarginMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

const TokenResponse = z
  .object({ access_token: z.string().min(1), expires_in: z.number().nonnegative().optional() })
  .loose();

/** A `bearerToken` function for HttpOptions that runs the client-credentials grant as needed. */
export function clientCredentialsToken(options: ClientCredentialsOptions): () => Promise<string> {
  let current: { token: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const margin = options.refreshMarginMs ?? 30_000;
  const doFetch = options.fetch ?? fetch;

  async function request(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials', ...options.grantParams });
    const res = await doFetch(options.tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        authorization: `Basic ${Buffer.from(`${options.clientId}:${options.clientSecret}`).toString('base64')}`,
      },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    if (!res.ok) throw errors.TOKEN_ENDPOINT({ url: options.tokenUrl, status: res.status });
    const parsed = TokenResponse.parse(await res.json());
    const lifetimeMs = (parsed.expires_in ?? 300) * 1000;
    current = { token: parsed.access_token, renewAt: Date.now() + lifetimeMs - margin };
    return parsed.access_token;
  }

  return () => {
    if (current && Date.now() < current.renewAt) return Promise.resolve(current.token);
    pending ??= request().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}
