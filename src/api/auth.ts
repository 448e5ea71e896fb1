/**
 * API tokens and roles. A token is configured as `role:token` (several separated by commas); roles
 * are ordered viewer < operator < admin, each allowed what the ones below it are. Tokens are kept as
 * SHA-256 digests and compared in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 1, operator: 2, admin: 3 };

export const roleAllows = (has: Role, needs: Role): boolean => RANK[has] >= RANK[needs];

export interface TokenTable {
  /** The role of a presented token, or undefined when it is unknown. */
  roleOf(token: string): Role | undefined;
  readonly size: number;
}

const digest = (token: string) => createHash('sha256').update(token, 'utf8').digest();

/**
 * Parses `role:token,role:token`. Throws an Error naming the bad entry (the CLI turns it into a
 * usage error): an unknown role, an empty or short token (under 16 characters), a token given twice.
 */
export function parseApiTokens(text: string | undefined): TokenTable {
  const entries: Array<{ role: Role; hash: Buffer }> = [];
  for (const raw of (text ?? '').split(',')) {
    const entry = raw.trim();
    if (!entry) continue;
    const colon = entry.indexOf(':');
    const role = entry.slice(0, colon) as Role;
    const token = entry.slice(colon + 1);
    if (colon < 0 || !ROLES.includes(role))
      throw new Error(`API token entry "${entry.slice(0, 12)}…": expected ROLE:TOKEN with ROLE one of ${ROLES.join(', ')}`);
    if (token.length < 16) throw new Error(`API token of role ${role}: at least 16 characters`);
    const hash = digest(token);
    if (entries.some((e) => timingSafeEqual(e.hash, hash))) throw new Error(`API token of role ${role} is given twice`);
    entries.push({ role, hash });
  }
  return {
    size: entries.length,
    roleOf(token: string) {
      const h = digest(token);
      let found: Role | undefined;
      // Every entry is compared, so the time does not tell which one matched.
      for (const e of entries) if (timingSafeEqual(e.hash, h)) found = e.role;
      return found;
    },
  };
}

/** The bearer token of an Authorization header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m?.[1];
}
