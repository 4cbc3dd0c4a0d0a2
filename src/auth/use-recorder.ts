// Records when users were seen (last_seen_at, for is_online) and tokens used
// (lastUsedAt, for `token list`), out of the request's way.
//
// Each was one UPDATE in the request, at most once a minute per user or
// token. On SQLite a write is a commit, which waits for the disk and, with
// better-sqlite3, holds the whole process meanwhile: with thousands of
// requesters (bench scenario b) most early requests made one or two, and the
// scenario fell to 70% of one requester's requests/s. Writes are gathered
// instead and made at most once a second, two statements in one transaction
// whatever their number; the request goes on at once. What a flush records is
// a hint: if the process dies, at most a second of them is lost.
import { Prisma } from "../../generated/sqlite/prisma/client.ts";
import { chunks } from "../chunks.ts";
import { idList } from "../db/id-list.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../logger.ts";

/** last_seen_at and a token's lastUsedAt move at most this often, so that reads do not each write. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;
/** How often gathered uses are written, and so how late is_online may show a user's first request. */
export const USE_FLUSH_INTERVAL_MS = 1_000;
/** Ids per statement (src/chunks.ts); a power of two, which idList() does not pad further. */
const IDS_PER_STATEMENT = 4_096;

export class UseRecorder {
  #users = new Set<number>();
  #tokens = new Set<number>();
  #latest: Date | null = null;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** Whether a use last recorded at `at` is older than the resolution at `now`. */
  static isStale(at: Date | null, now: Date): boolean {
    return at === null || at.getTime() <= now.getTime() - LAST_SEEN_RESOLUTION_MS;
  }

  /** Notes that the user was seen and the token used at `now`; written within USE_FLUSH_INTERVAL_MS. */
  record({ userId, tokenId }: { userId?: number; tokenId?: number }, now: Date): void {
    if (userId !== undefined) this.#users.add(userId);
    if (tokenId !== undefined) this.#tokens.add(tokenId);
    if (!this.#latest || now > this.#latest) this.#latest = now;
    // Not kept alive by this timer: a process that is stopping calls close().
    this.#timer ??= setTimeout(() => void this.flush(), USE_FLUSH_INTERVAL_MS).unref();
  }

  /**
   * Writes what was gathered. All of it gets the latest time noted (a second
   * at most after the earliest), and a row only moves forward, so instances
   * writing the same users agree. A failure (a locked SQLite file, a
   * read-only replica) is logged; the uses are not tried again.
   */
  flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const [users, tokens, at] = [[...this.#users], [...this.#tokens], this.#latest];
    this.#users.clear();
    this.#tokens.clear();
    this.#latest = null;
    if (at === null) return this.#flushing;
    this.#flushing = this.#flushing.then(() => this.#write(users, tokens, at));
    return this.#flushing;
  }

  async #write(users: number[], tokens: number[], at: Date): Promise<void> {
    // The table and column names are ours, never input.
    const moveForward = (table: string, column: string, rowIds: number[]) => {
      const [target, time] = [Prisma.raw(`"${table}"`), Prisma.raw(`"${column}"`)];
      return [...chunks(rowIds, IDS_PER_STATEMENT)].map(
        (ids) => this.db.$executeRaw`UPDATE ${target} SET ${time} = ${at}
          WHERE id IN (${idList(ids)}) AND (${time} IS NULL OR ${time} < ${at})`,
      );
    };
    const statements = [...moveForward("User", "lastSeenAt", users), ...moveForward("ApiToken", "lastUsedAt", tokens)];
    try {
      await this.db.$transaction(statements);
    } catch (error) {
      this.logger.warn(
        `Could not record that ${users.length} users were seen and ${tokens.length} tokens used (the requests were served): ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
