import { generateTokenKey, hashTokenKey } from "../auth/token-keys.ts";
import type { Database } from "../db.ts";

export class UnknownUserError extends Error {}

/** Makes a token for `username` and returns its key, which is stored only as a hash. */
export async function createToken(db: Database, username: string): Promise<string> {
  const user = await db.user.findUnique({ where: { username }, select: { id: true } });
  if (!user) throw new UnknownUserError(`No user with username "${username}".`);
  const key = generateTokenKey();
  await db.apiToken.create({ data: { keyHash: hashTokenKey(key), userId: user.id } });
  return key;
}
