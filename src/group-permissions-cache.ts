// The permissions each group grants, kept between requests while the database
// has not changed, so that a user's memberships statement (src/loaders.ts,
// membershipsByUserId) reads only its groups and direct permissions.
//
// The grants were that statement's third branch, a join of the user's groups
// to their permissions for every user of every request, when the table of
// grants is small and changes rarely. That statement is the largest a user
// view sends; on SQLite its cost under load is the rows and pages it touches
// (CPU cache misses: in the service it took three times what it takes in a
// loop). Without the branch it took 66 µs instead of 112 (bench scenario d,
// each statement timed in the service), and a REST retrieve (scenario a)
// 0.14–0.15 ms of CPU instead of 0.17: 6,729 and 6,956 requests/s against
// 5,924 and 6,076 (npm run bench -- --scenarios a,d --rounds 2, alternating
// with the commit before, twice). It is paid once per request, whatever the
// number of users: ten aliased users (d) stayed at 1,200–1,240. On
// PostgreSQL, where a user's statement reads its memberships alongside, each
// user's read the branch: (d) 709–759 -> 813–817 requests/s, random tokens
// (b) 2,863–2,891 -> 3,117–3,191, PostgreSQL's CPU a REST retrieve 0.56 ->
// 0.49–0.51 ms (--engine postgres --scenarios a,b,d, likewise).
//
// Kept as the requester cache keeps requesters (src/auth/requester-cache.ts):
// a snapshot answers only while the database's version is the one it was
// read at, and any write, by this service or another process, changes that
// version; the next request that reads memberships reads the grants again
// (one statement, shared by the requests that wait for it) before its own.
// Where the version is not known (PostgreSQL without its listening
// connection), every statement reads the grants itself, as without the cache.
// The grants are the same for every requester: what a requester may see of a
// user is decided before its memberships are read, never by this cache.
//
// GROUP_PERMISSIONS_CACHE_SIZE bounds it by grants (rows of the
// group-to-permission table); with more grants than that, the statement reads
// them, as with 0, which switches it off.
import { databaseVersion, readRows, type Database } from "./db/client.ts";
import { sqlTemplate } from "./db/sql-template.ts";
import { Prisma, type Permission } from "../generated/sqlite/prisma/client.ts";

/** Each group's permissions, by group id; a group that grants none is absent. */
export type GrantsByGroup = ReadonlyMap<number, readonly Permission[]>;

/** Every grant, up to `limit` of them. (Implicit many-to-many table: "A" is the group's id, "B" the permission's.) */
const GRANTS = sqlTemplate((parameters: { limit: number }) => Prisma.sql`
  SELECT granted."A" AS "groupId", "Permission".id, "Permission".name, "Permission".code
  FROM "_GroupToPermission" granted JOIN "Permission" ON "Permission".id = granted."B"
  LIMIT ${parameters.limit}`);

type Snapshot = { version: string; grants: Promise<GrantsByGroup | null> };

export class GroupPermissionsCache {
  #snapshot: Snapshot | null = null;

  constructor(
    private readonly db: Database,
    /** Grants kept at most; 0 keeps none. */
    private readonly maxGrants: number,
  ) {}

  /**
   * The grants as of the database's current version, read once for that
   * version; null when they are not kept (switched off, the version unknown,
   * more grants than the bound): the statement then reads them itself.
   */
  current(): Promise<GrantsByGroup | null> | null {
    if (this.maxGrants === 0) return null;
    const version = databaseVersion(this.db);
    if (version === null) return null;
    if (this.#snapshot?.version !== version) {
      // The version is taken before the read: a write between the two leaves the snapshot already out of date.
      const snapshot: Snapshot = { version, grants: this.#read() };
      // A failed read fails the requests that waited for it, as their own statement would have; the next one reads again.
      snapshot.grants.catch(() => {
        if (this.#snapshot === snapshot) this.#snapshot = null;
      });
      this.#snapshot = snapshot;
    }
    return this.#snapshot.grants;
  }

  async #read(): Promise<GrantsByGroup | null> {
    type Row = { groupId: number | bigint; id: number | bigint; name: string; code: number | bigint };
    const rows = await readRows<Row>(this.db, GRANTS({ limit: this.maxGrants + 1 }));
    if (rows.length > this.maxGrants) return null;
    // One object per permission, shared by the groups that grant it and by every request: frozen, so none can change another's.
    const permissions = new Map<number, Permission>();
    const grants = new Map<number, Permission[]>();
    for (const row of rows) {
      const id = Number(row.id);
      let permission = permissions.get(id);
      if (!permission) permissions.set(id, (permission = Object.freeze({ id, name: row.name, code: Number(row.code) })));
      const groupId = Number(row.groupId);
      const granted = grants.get(groupId) ?? [];
      granted.push(permission);
      grants.set(groupId, granted);
    }
    for (const granted of grants.values()) Object.freeze(granted);
    return grants;
  }
}
