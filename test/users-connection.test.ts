// Query.users: the Relay connection of the users a requester may read, with
// GitHub's argument names. Every order and filter is checked against the
// same expectation computed here from the fixture, on both engines, by
// paging through all of it forwards and backwards; cursors, page sizes and
// access are refused with their codes; and a page costs the same number of
// statements whatever its size.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const admin = tokenHeader(keyFor("admin"));

type FixtureUser = Record<string, unknown> & {
  id: number;
  username: string;
  is_staff?: boolean;
  is_admin?: boolean;
  is_active?: boolean;
  first_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  mobile_number?: string | null;
  created_at?: string;
  last_seen_at?: string | null;
  invited_by?: number | null;
  groups?: number[];
  permissions?: number[];
};

// Names that tell the orders and the search apart: accents and case, an
// astral character, LIKE's wildcards, ties on the creation time.
const NAMES = ["élodie", "Élodie", "ÖMER", "zoë", "Zed", "alpha", "Alpha", "_under", "per%cent", "😀smile", "ﬀ-ligature", "omega", "Ωmega", "bob", "BOB2"];

function listingFixture() {
  const fixture = directoryFixture() as { users: FixtureUser[] } & Record<string, unknown>;
  NAMES.forEach((name, index) => {
    const id = 100 + index;
    fixture.users.push({
      id,
      username: name,
      gender: "other",
      is_staff: index % 5 !== 4,
      is_admin: index % 5 === 4 || index % 7 === 0,
      is_active: index % 6 !== 5,
      first_name: index % 3 === 0 ? "Masimo" : index % 3 === 1 ? "Ölga" : null,
      last_name: index % 4 === 0 ? "Moratti" : null,
      email: index % 2 === 0 ? `${name.toUpperCase()}@Example.COM` : null,
      mobile_number: index % 3 === 2 ? `0915020${String(index).padStart(4, "0")}` : null,
      // Three share a second and differ by microseconds; two tie exactly (id decides).
      created_at: index < 3 ? `2026-03-01T08:00:00.00000${index}Z` : index < 5 ? "2026-03-02T08:00:00Z" : `2026-0${1 + (index % 9)}-1${index % 10}T10:00:00.5Z`,
      last_seen_at: index % 4 === 1 ? null : `2026-04-${String(10 + (index % 12)).padStart(2, "0")}T09:00:00Z`,
      invited_by: index % 3 === 0 ? 10 : index % 3 === 1 ? 100 : null,
      groups: index % 4 === 0 ? [2] : index % 4 === 1 ? [1, 3] : [],
      permissions: index % 5 === 0 ? [3] : [],
    });
  });
  // Not staff nor admin: never listed, whatever the filter.
  fixture.users.push({ id: 200, username: "élodie-regular", gender: "other", email: "ELODIE@example.com" });
  // The requester, seen just now: its first request then writes no newer
  // last_seen_at (src/auth/use-recorder.ts), which would move it, between
  // two pages, in the LAST_SEEN_AT order the tests below check.
  fixture.users.find((user) => user.id === 10)!.last_seen_at = new Date().toISOString();
  return fixture;
}

/** The fixture users the rules let a reader list: staff and admins. */
function readable(fixture: ReturnType<typeof listingFixture>) {
  return fixture.users.filter((user) => user.is_staff === true || user.is_admin === true);
}

const codePoints = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const instant = (text: string | undefined | null) => (text ? new Date(text.replace(/(\.\d{3})\d+/, "$1")).getTime() : null);
const micros = (text: string | undefined) => Number(/\.(\d{1,6})/.exec(text ?? "")?.[1]?.padEnd(6, "0") ?? 0) % 1000;

/** The order the service must give, computed from the fixture: the field, then id, in one direction. */
function expectedOrder(users: FixtureUser[], field: string, direction: "ASC" | "DESC"): number[] {
  const compareField = (a: FixtureUser, b: FixtureUser): number => {
    switch (field) {
      case "USERNAME":
        return codePoints(a.username, b.username);
      case "CREATED_AT":
        return instant(a.created_at)! - instant(b.created_at)! || micros(a.created_at) - micros(b.created_at);
      case "LAST_SEEN_AT": {
        const [x, y] = [instant(a.last_seen_at), instant(b.last_seen_at)];
        if (x === null || y === null) return (x === null ? 0 : 1) - (y === null ? 0 : 1);
        return x - y;
      }
      default:
        return 0;
    }
  };
  const sign = direction === "ASC" ? 1 : -1;
  return [...users].sort((a, b) => sign * (compareField(a, b) || a.id - b.id)).map((user) => user.id);
}

const PAGE_QUERY = `query Page($first: Int, $after: String, $last: Int, $before: String, $filter: UserFilter, $orderBy: UserOrder) {
  users(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id } }
  }
}`;

type Page = {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: { cursor: string; node: { id: string } }[];
};

describe("Query.users", () => {
  let app: TestApp;
  let fixture: ReturnType<typeof listingFixture>;
  before(async () => {
    fixture = listingFixture();
    app = await createTestApp(fixture);
  });

  async function page(variables: Record<string, unknown>): Promise<Page> {
    const result = await app.graphql<{ users: Page }, Record<string, unknown>>(PAGE_QUERY, variables, admin);
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    return result.data!.users;
  }

  /** Every id, by pages of `size`: forwards with first/after, or backwards with last/before (returned in the order's direction). */
  async function pageThrough(size: number, variables: Record<string, unknown>, backwards = false): Promise<number[]> {
    const ids: number[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const current: Page = await page(
        backwards ? { ...variables, last: size, before: cursor } : { ...variables, first: size, after: cursor },
      );
      const pageIds = current.edges.map((edge) => Number(edge.node.id));
      if (backwards) ids.unshift(...pageIds);
      else ids.push(...pageIds);
      const more = backwards ? current.pageInfo.hasPreviousPage : current.pageInfo.hasNextPage;
      if (!more) return ids;
      cursor = backwards ? current.pageInfo.startCursor : current.pageInfo.endCursor;
    }
    throw new Error("more than 100 pages");
  }

  test("by default: every readable user once, by id, 20 to a page, with the total on every page", async () => {
    const expected = readable(fixture).map((user) => user.id).sort((a, b) => a - b);
    const first = await page({});
    assert.equal(first.edges.length, 20);
    assert.equal(first.totalCount, expected.length);
    assert.deepEqual(first.pageInfo.hasPreviousPage, false);
    assert.deepEqual(await pageThrough(4, {}), expected);
    assert.ok(!expected.includes(200), "a user who is neither staff nor admin is never listed");
  });

  for (const field of ["ID", "USERNAME", "CREATED_AT", "LAST_SEEN_AT"]) {
    for (const direction of ["ASC", "DESC"] as const) {
      test(`ordered by ${field} ${direction}: forwards and backwards give the same order, ties broken by id`, async () => {
        const expected = expectedOrder(readable(fixture), field, direction);
        const orderBy = { field, direction };
        assert.deepEqual(await pageThrough(3, { orderBy }), expected);
        assert.deepEqual(await pageThrough(5, { orderBy }, true), expected);
      });
    }
  }

  const filters: [string, Record<string, unknown>, (user: FixtureUser) => boolean][] = [
    ["isStaff", { isStaff: false }, (user) => user.is_staff !== true],
    ["isAdmin", { isAdmin: true }, (user) => user.is_admin === true],
    ["isActive", { isActive: false }, (user) => user.is_active === false],
    ["groupId", { groupId: "3" }, (user) => (user.groups ?? []).includes(3)],
    // Permission 3 (code 1300) is held directly, or through group 3.
    ["permissionCode (direct or through a group)", { permissionCode: 1300 }, (user) => (user.permissions ?? []).includes(3) || (user.groups ?? []).includes(3)],
    ["invitedById", { invitedById: "100" }, (user) => user.invited_by === 100],
    ["search in usernames, any case and accent-case", { search: "ÉLO" }, (user) => user.username.toLowerCase().includes("élo")],
    ["search in emails", { search: "example.com" }, (user) => (user.email ?? "").toLowerCase().includes("example.com")],
    ["search in full names across the space", { search: "MASIMO mor" }, (user) => `${user.first_name} ${user.last_name}`.toLowerCase().includes("masimo mor")],
    ["search in mobile numbers", { search: "0915020" }, (user) => typeof user.mobile_number === "string"],
    ["search with LIKE's wildcards taken literally", { search: "%" }, (user) => user.username.includes("%")],
    ["search with _ taken literally", { search: "_" }, (user) => user.username.includes("_")],
    ["search for an astral character", { search: "😀" }, (user) => user.username.includes("😀")],
    ["several conditions at once", { isStaff: true, isActive: true, search: "o" }, (user) =>
      user.is_staff === true && user.is_active !== false && [user.username, `${user.first_name ?? ""} ${user.last_name ?? ""}`, user.email ?? "", user.mobile_number ?? ""].some((text) => text.toLowerCase().includes("o"))],
  ];
  for (const [name, filter, keep] of filters) {
    test(`filter: ${name}`, async () => {
      const expected = readable(fixture).filter(keep).map((user) => user.id).sort((a, b) => a - b);
      assert.ok(expected.length > 0 || name.includes("isStaff"), `the fixture has users for ${name}`);
      assert.deepEqual(await pageThrough(4, { filter }), expected);
      assert.equal((await page({ filter })).totalCount, expected.length);
    });
  }

  test("a cursor of another order, an altered cursor, and page sizes out of range get BAD_USER_INPUT", async () => {
    const byName = await page({ first: 2, orderBy: { field: "USERNAME", direction: "ASC" } });
    const cursor = byName.pageInfo.endCursor!;
    const refusal = async (variables: Record<string, unknown>) => {
      const result = await app.graphql(PAGE_QUERY, variables, admin);
      assert.equal(result.data, null);
      assert.equal(result.errors?.length, 1);
      assert.equal(result.errors[0]!.extensions?.code, "BAD_USER_INPUT", JSON.stringify(result.errors));
      return result.errors[0]!.message;
    };
    assert.match(await refusal({ first: 2, after: cursor }), /another order \(USERNAME:ASC\), not ID:ASC/);
    assert.match(await refusal({ first: 2, after: cursor, orderBy: { field: "USERNAME", direction: "DESC" } }), /another order/);
    const altered = Buffer.from(JSON.stringify(["USERNAME:ASC", 5, 7])).toString("base64url");
    assert.match(await refusal({ first: 2, after: altered, orderBy: { field: "USERNAME", direction: "ASC" } }), /not one this field gave out/);
    assert.match(await refusal({ first: 2, after: "not a cursor" }), /not one this field gave out/);
    assert.match(await refusal({ first: 101 }), /`first` must be from 0 to 100, got 101/);
    assert.match(await refusal({ last: -1 }), /`last` must be from 0 to 100, got -1/);
    assert.match(await refusal({ first: 2, last: 2 }), /not both/);
    assert.match(await refusal({ filter: { groupId: "x" } }), /filter.groupId must be a whole number id/);
    assert.equal((await page({ first: 100 })).edges.length, readable(fixture).length);
  });

  test("only a requester allowed to read users may list them", async () => {
    const anonymous = await app.graphql(PAGE_QUERY, {});
    assert.equal(anonymous.errors?.[0]?.extensions?.code, "UNAUTHENTICATED");
    const plainStaff = await app.graphql(PAGE_QUERY, {}, tokenHeader(keyFor("plainStaff")));
    assert.equal(plainStaff.errors?.[0]?.extensions?.code, "FORBIDDEN");
    const groupReader = await app.graphql(PAGE_QUERY, {}, tokenHeader(keyFor("groupReader")));
    assert.equal(groupReader.errors, undefined);
  });

  test("a page's statements do not grow with its size or its nested lists, and none uses OFFSET", async () => {
    const query = `query($first: Int, $after: String) { users(first: $first, after: $after) {
      totalCount edges { node { id username fullName invitedBy { id } inviteesCount invitees { id } groups { id } permissions { code } } }
    } }`;
    const statementsFor = async (variables: Record<string, unknown>) => {
      // The uses gathered so far are written now, not in the middle of the count.
      await app.app.uses.flush();
      app.recorder.take();
      const result = await app.graphql(query, variables, admin);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      return app.recorder.take();
    };
    // Inviters are read by id in one statement, unless the page itself holds
    // them all; the requester's, unless the requester cache answered (src/auth/requester-cache.ts);
    // the groups' grants, once after a write (src/group-permissions-cache.ts).
    const ofThePage = (statements: string[]) => {
      // summaryById's statement (src/loaders.ts): the inviters' summaries, by id.
      const inviters = statements.filter((sql) => /^SELECT "id", "username", "firstName", "lastName" FROM "User" WHERE id IN/.test(sql.trim()));
      assert.ok(inviters.length <= 1, statements.join("\n"));
      const requester = statements.filter((sql) => sql.includes('FROM "ApiToken"'));
      assert.ok(requester.length <= 1, statements.join("\n"));
      const grants = statements.filter((sql) => sql.includes('AS "groupId"'));
      assert.ok(grants.length <= 1, statements.join("\n"));
      return statements.length - inviters.length - requester.length - grants.length;
    };
    const small = await statementsFor({ first: 2 });
    const large = await statementsFor({ first: 30 });
    const later = await statementsFor({ first: 2, after: (await page({ first: 20 })).pageInfo.endCursor });
    // The page, the count, invitees (inviteesCount is counted from them,
    // src/loaders.ts), groups and permissions.
    assert.equal(ofThePage(small), 4, small.join("\n"));
    assert.equal(ofThePage(large), 4, large.join("\n"));
    assert.equal(ofThePage(later), 4, later.join("\n"));
    assert.ok(![...small, ...later].some((sql) => /OFFSET/i.test(sql)), "keyset, not OFFSET");
  });
});

describe("User.inviteesConnection", () => {
  let app: TestApp;
  let fixture: ReturnType<typeof listingFixture>;
  before(async () => {
    fixture = listingFixture();
    app = await createTestApp(fixture);
  });

  const QUERY = `query($first: Int, $after: String, $pageSize: Int = 100) {
    users(first: $pageSize) { edges { node { id
      inviteesConnection(first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id username fullName } }
      }
      invitees { id }
    } } }
  }`;
  type Result = {
    users: {
      edges: {
        node: {
          id: string;
          invitees: { id: string }[];
          inviteesConnection: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] };
        };
      }[];
    };
  };

  test("every listed user's invitees by pages of 3 are its invitees list, in one statement per page for all users", async () => {
    const read = async (variables: Record<string, unknown>) => {
      await app.app.uses.flush();
      app.recorder.take();
      const result = await app.graphql<Result, Record<string, unknown>>(QUERY, variables, admin);
      assert.equal(result.errors, undefined, JSON.stringify(result.errors));
      const statements = app.recorder.take().filter((sql) => /ROW_NUMBER\(\)/.test(sql));
      assert.equal(statements.length, 1, "one statement pages every user's invitees");
      return result.data!.users.edges.map((edge) => edge.node);
    };
    const firstPages = await read({ first: 3 });
    const inviters = firstPages.filter((user) => user.invitees.length > 3);
    assert.ok(inviters.length > 0, "some users have more than a page of invitees");
    for (const user of firstPages) {
      const page = user.inviteesConnection;
      assert.equal(page.totalCount, user.invitees.length);
      assert.deepEqual(page.edges.map((edge) => edge.node.id), user.invitees.slice(0, 3).map((invitee) => invitee.id));
      assert.equal(page.pageInfo.hasNextPage, user.invitees.length > 3);
    }
    // The next page of one inviter: its cursor reads on from where the first page stopped.
    const inviter = inviters[0]!;
    const next = await read({ first: 3, after: inviter.inviteesConnection.pageInfo.endCursor });
    const again = next.find((user) => user.id === inviter.id)!;
    assert.deepEqual(again.inviteesConnection.edges.map((edge) => edge.node.id), inviter.invitees.slice(3, 6).map((invitee) => invitee.id));
  });

  test("page sizes and cursors are checked as on Query.users", async () => {
    const result = await app.graphql(QUERY, { first: 101 }, admin);
    assert.equal(result.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
    const tampered = await app.graphql(QUERY, { first: 2, after: "eA" }, admin);
    assert.equal(tampered.errors?.[0]?.extensions?.code, "BAD_USER_INPUT");
  });
});
