/**
 * The OIDC identity token that keyless signing trades for a certificate: from an environment variable
 * named by the caller, or, on GitHub Actions, from the runner's token service (audience `sigstore`,
 * as Fulcio expects). Nothing about the token is verified here (Fulcio does that); it is only checked
 * to be a JWT with the claims Fulcio needs, so a wrong variable fails here with its name instead of
 * as an opaque 401 from Fulcio.
 */
import { getIDToken } from '@actions/core';
import { z } from 'zod';
import { OptionError, UsageError } from '../../core/errors.js';
import { option, say } from '../../core/user-text.js';

export const SIGSTORE_AUDIENCE = 'sigstore';

const claimsSchema = z
  .object({
    iss: z.string().min(1),
    sub: z.string().min(1).optional(),
    email: z.string().min(1).optional(),
    aud: z.union([z.string(), z.array(z.string())]),
    exp: z.number().optional(),
  })
  .catchall(z.unknown());
export type IdentityClaims = z.infer<typeof claimsSchema>;

export interface TokenSource {
  /** Env var holding the token (option `identityTokenEnv`); wins over GitHub Actions. */
  envName?: string;
  env?: NodeJS.ProcessEnv;
  now?: Date;
  /** Injected for tests; defaults to @actions/core's getIDToken. */
  fetchGitHubToken?: (audience: string) => Promise<string>;
}

/** The token and its (unverified) claims, or a UsageError that says where a token should come from. */
export async function resolveIdentityToken(
  source: TokenSource,
): Promise<{ token: string; claims: IdentityClaims; from: string }> {
  const env = source.env ?? process.env;
  let token: string;
  let from: string;
  if (source.envName !== undefined) {
    const value = env[source.envName]?.trim();
    if (!value)
      throw new OptionError(
        'identityTokenEnv',
        say`${option('identityTokenEnv', source.envName)}: the variable is not set or empty; put an OIDC identity token (a JWT) in it`,
      );
    token = value;
    from = `$${source.envName}`;
  } else if (env['ACTIONS_ID_TOKEN_REQUEST_URL']) {
    const fetch = source.fetchGitHubToken ?? getIDToken;
    try {
      token = await fetch(SIGSTORE_AUDIENCE);
    } catch (err) {
      throw new UsageError(
        `could not get GitHub's OIDC token (${(err as Error).message}); give the job \`permissions: id-token: write\``,
      );
    }
    from = 'GitHub Actions OIDC';
  } else {
    throw new UsageError(
      say`keyless signing needs an OIDC identity token: pass ${option('identityTokenEnv', 'NAME')}, or run on GitHub Actions with \`permissions: id-token: write\``,
    );
  }
  return { token, claims: decodeClaims(token, from, source.now ?? new Date()), from };
}

/** Reads the JWT payload without checking its signature (Fulcio checks it against the issuer's keys). */
export function decodeClaims(token: string, from: string, now: Date): IdentityClaims {
  const parts = token.split('.');
  let payload: unknown;
  if (parts.length === 3) {
    try {
      payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
    } catch {
      payload = undefined;
    }
  }
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success)
    throw new UsageError(
      `the identity token in ${from} is not a JWT with iss and aud claims; pass an OIDC ID token, not an access token`,
    );
  const claims = parsed.data;
  if (claims.sub === undefined && claims.email === undefined)
    throw new UsageError(
      `the identity token in ${from} has neither a sub nor an email claim; Fulcio needs one`,
    );
  if (claims.exp !== undefined && claims.exp * 1000 <= now.getTime())
    throw new UsageError(
      `the identity token in ${from} expired at ${new Date(claims.exp * 1000).toISOString()}; request a fresh one`,
    );
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud;
  if (!audiences.includes(SIGSTORE_AUDIENCE))
    throw new UsageError(
      `the identity token in ${from} is for audience ${audiences.join(', ')}; Fulcio accepts audience "${SIGSTORE_AUDIENCE}"`,
    );
  return claims;
}
