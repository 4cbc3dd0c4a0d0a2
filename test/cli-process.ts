// The CLI as a user runs it (`npm run cli -- …`), a real process over the
// database at a URL, and the answers both APIs give over such a database:
// what the import, dump and export tests compare.
import { spawnSync } from "node:child_process";
import { createDatabase } from "../src/db/client.ts";
import { parseConfig } from "../src/env.ts";
import { createLogger } from "../src/logger.ts";
import { createApp } from "../src/server.ts";
import { tokenHeader } from "./helpers.ts";

export function cliOn(url: string, ...args: string[]) {
  const result = spawnSync("npm", ["run", "-s", "cli", "--", ...args], {
    cwd: new URL("..", import.meta.url),
    env: { ...process.env, DATABASE_URL: url },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const USER_FIELDS = `id username mobileNumber email isEmailVerified avatar firstName lastName fullName gender inviteCode
  isActive isStaff isAdmin isProfileCompleted isOnline lastLogin createdAt updatedAt inviteesCount
  invitedBy { id username fullName } invitees { id username fullName } groups { id name } permissions { id code name }`;

/**
 * What `key` gets for each user id, from the REST route and from GraphQL's
 * `user(id)`, and who `me` is for each of `keys`: every answer a client of
 * either API could see.
 */
export async function answersOf(url: string, key: string, ids: number[], keys: string[] = []) {
  const config = parseConfig({ DATABASE_URL: url, LOG_LEVEL: "silent" });
  const db = createDatabase(config.database);
  const app = createApp({ db, config, logger: createLogger("silent") });
  const graphql = async (query: string, header: Record<string, string>) => {
    const response = await app.fetch(
      new Request("http://users.test/graphql", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json", ...header },
        body: JSON.stringify({ query }),
      }),
    );
    return response.json();
  };
  try {
    const rest = [];
    const users = [];
    for (const id of ids) {
      const response = await app.fetch(new Request(`http://users.test/api/users/${id}/`, { headers: tokenHeader(key) }));
      rest.push({ id, status: response.status, body: await response.text() });
      users.push(await graphql(`{ user(id: ${id}) { ${USER_FIELDS} } }`, tokenHeader(key)));
    }
    const me = [];
    for (const other of keys) me.push(await graphql("{ me { id username } }", tokenHeader(other)));
    return { rest, users, me };
  } finally {
    await app.close();
    await db.$disconnect();
  }
}
