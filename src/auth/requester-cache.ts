// The requesters of recent token keys, kept while the database has not
// changed: a key's statement (findRequesterByKeyHash) is then not sent again.
//
// That statement was a tenth of the CPU of a GraphQL `user` request on SQLite
// (bench scenario c, CPU profile), and one of a REST retrieve's five
// statements on PostgreSQL, where keeping it made (a) 19% and (c) 12% more
// requests/s. Most requests come from few tokens. A cache keyed by time alone
// would keep a revoked token working for its lifetime; this one answers only
// while the database's version (src/db/client.ts, databaseVersion) is the one
// its entry was read at. Any write, by this service or another process
// (`token revoke`, `user update --no-active`, an import), changes the version,
// so nothing it answers is stale: a revoked token is refused at once, as
// without it. On PostgreSQL "at once" is when the write's notification
// arrives, a moment after its commit (src/db/change-notifications.ts). Expiry
// is checked against each request's clock, as the statement checks it.
//
// Where the version is not known (PostgreSQL while the service's listening
// connection is down, or behind a pooler that cannot LISTEN), every request
// reads. REQUESTER_CACHE_SIZE bounds it; 0 switches it off.
import { LRUCache } from "lru-cache";
import { databaseVersion, type Database } from "../db/client.ts";
import { findRequesterByKeyHash, type Requester, type UserAlongside } from "../loaders.ts";

type Entry = { requester: Requester; version: string };

export class RequesterCache {
  readonly #entries: LRUCache<string, Entry> | null;

  constructor(
    private readonly db: Database,
    /** Keys kept, the least recently used dropped first; 0 keeps none. */
    size: number,
  ) {
    this.#entries = size > 0 ? new LRUCache({ max: size }) : null;
  }

  /**
   * findRequesterByKeyHash(db, keyHash, now), from the cache while the
   * database is unchanged. `alongside` is read (and primed) only when the
   * statement is sent: a kept requester leaves it to its loader.
   */
  async find(keyHash: string, now: Date, alongside?: UserAlongside): Promise<Requester | null> {
    const version = this.#entries && databaseVersion(this.db);
    if (!this.#entries || version === null) return findRequesterByKeyHash(this.db, keyHash, now, alongside);
    const entry = this.#entries.get(keyHash);
    if (entry?.version === version) {
      const { expiresAt } = entry.requester.token;
      return expiresAt === null || expiresAt > now ? entry.requester : null;
    }
    // The version is taken before the read: a write between the two leaves the entry already out of date.
    const requester = await findRequesterByKeyHash(this.db, keyHash, now, alongside);
    if (requester) this.#entries.set(keyHash, { requester: frozen(requester), version });
    else this.#entries.delete(keyHash);
    return requester;
  }
}

/** Shared by every request that finds it: a request that changed it would change what the next one sees. */
function frozen(requester: Requester): Requester {
  Object.freeze(requester.user);
  Object.freeze(requester.token);
  return Object.freeze(requester);
}
