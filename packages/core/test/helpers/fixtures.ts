import { readFileSync } from 'node:fs';

/** One token minted by the Python reference service (python-jose inside itsdangerous). */
export interface SeedToken {
  name: string;
  kind: 'access' | 'refresh';
  jwt_secret: string;
  outer_secret: string;
  signed_at: number;
  claims: { id: string; exp: number; scope: string[] };
  jwt: string;
  token: string;
}

const file = new URL('../fixtures/itsdangerous.json', import.meta.url);
const vectors = JSON.parse(readFileSync(file, 'utf8')) as { seed_tokens: SeedToken[] };

/** The reference service's own tokens, with the secrets that made them. */
export const seedTokens: readonly SeedToken[] = vectors.seed_tokens;
