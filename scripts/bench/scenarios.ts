// What each scenario sends. Every request targets a random readable user (ids
// drawn from the seed), so no cache keyed on the id can serve a run from a
// handful of rows; scenario b also draws the requester, so nothing cached per
// requester can flatter the figure either.
import { print } from "graphql";
import { encodeIdCursor } from "../../src/users/user-list.ts";
import { UserEverythingDocument, UserEverythingFragmentDoc, UsersPageDocument } from "../../test/generated/graphql.ts";
import type { DatasetManifest } from "./dataset.ts";
import type { RequestSource } from "./load.ts";
import { createRandom } from "./random.ts";

export const SCENARIO_IDS = ["a", "b", "c", "d", "e", "f"] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];

export const SCENARIO_TITLES: Record<ScenarioId | "floor", string> = {
  floor: "floor (node:http + SQL)",
  a: "(a) REST, admin token",
  b: "(b) REST, random tokens",
  c: "(c) GraphQL user",
  d: "(d) GraphQL 10 users",
  e: "(e) REST, largest hub, 1 conn.",
  f: "(f) GraphQL page of 50 users",
};

const ALIASES = "abcdefghij".split("");

/** Ten aliased `user` fields with every field, each id a variable. */
const TEN_USERS_QUERY = [
  `query TenUsers(${ALIASES.map((alias) => `$${alias}: ID!`).join(", ")}) {`,
  ...ALIASES.map((alias) => `  ${alias}: user(id: $${alias}) { ...UserEverything }`),
  "}",
  print(UserEverythingFragmentDoc),
].join("\n");

const USER_QUERY = print(UserEverythingDocument);
const USERS_PAGE_QUERY = print(UsersPageDocument);
/** Users a page may start after: all but the last fifty readable ones, so that every page is full. */
const PAGE_SIZE = 50;

export function requestSources(manifest: DatasetManifest, seed: number): Record<ScenarioId | "floor", RequestSource> {
  const random = createRandom(seed ^ 0x5eed);
  const randomId = () => random.pick(manifest.visibleIds);
  const keys = manifest.requesters.map((requester) => `Token ${requester.key}`);
  const admin = `Token ${manifest.adminKey}`;

  const rest = (authorization: () => string, id = randomId): RequestSource => ({
    request: {
      method: "GET",
      setupRequest: (request) => ({
        ...request,
        path: `/api/users/${id()}/`,
        headers: { ...request.headers, authorization: authorization() },
      }),
    },
    verifyBody: (body) => body.startsWith('{"id":'),
  });
  // The user with the most invitees (10,000 from 200,000 users on), its body
  // the largest: one request at a time, so each latency is that answer's own.
  const largestHub = manifest.hubIds[0]!;
  const pageStarts = [...manifest.visibleIds].sort((x, y) => x - y).slice(0, -PAGE_SIZE);

  const graphql = (query: string, variables: () => Record<string, string>, firstField: string): RequestSource => ({
    request: {
      method: "POST",
      setupRequest: (request) => ({
        ...request,
        path: "/graphql",
        headers: { ...request.headers, authorization: admin, "content-type": "application/json" },
        body: JSON.stringify({ query, variables: variables() }),
      }),
    },
    // A readable id always gives a user: an error, or a null where a user was asked, is no answer.
    verifyBody: (body) => body.startsWith(`{"data":{"${firstField}":{`) && !body.includes('"errors":['),
  });

  return {
    floor: rest(() => admin),
    a: rest(() => admin),
    b: rest(() => random.pick(keys)),
    c: graphql(USER_QUERY, () => ({ id: String(randomId()) }), "user"),
    d: graphql(TEN_USERS_QUERY, () => Object.fromEntries(ALIASES.map((alias) => [alias, String(randomId())])), "a"),
    e: { ...rest(() => admin, () => largestHub), connections: 1 },
    // Each page starts after a random readable user, by the id order's cursor.
    f: graphql(USERS_PAGE_QUERY, () => ({ after: encodeIdCursor(random.pick(pageStarts)) }), "users"),
  };
}
