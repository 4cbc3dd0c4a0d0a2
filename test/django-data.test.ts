// Data as a Django database holds it: blank optional text fields are "", and
// lengths count characters as Python does. A real export brings both.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { FixtureError, parseFixture } from "../src/fixtures/parse-fixture.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestApp, tokenHeader, type TestApp } from "./helpers.ts";

const admin = tokenHeader(keyFor("admin"));
const BLANK_ID = 40;
const EMOJI_ID = 41;
const EMOJI_NAME = "😀".repeat(150);

function fixtureWithBlanks() {
  const fixture = directoryFixture();
  fixture.users.push(
    {
      id: BLANK_ID, username: "blank", gender: "other", is_staff: true,
      email: "", mobile_number: "", invite_code: "", avatar: "", first_name: "", last_name: "",
    },
    { id: EMOJI_ID, username: EMOJI_NAME, gender: "other", is_staff: true, first_name: "é".repeat(150) },
  );
  return fixture;
}

function problemsOf(fixture: unknown): string[] {
  try {
    parseFixture(fixture);
  } catch (error) {
    if (error instanceof FixtureError) return error.problems;
    throw error;
  }
  return [];
}

describe("blank text fields, as Django stores them", () => {
  let app: TestApp;
  before(async () => {
    app = await createTestApp(fixtureWithBlanks());
  });

  test("REST shows \"\" where Django stored \"\", and a blank avatar and names as DRF does (null)", async () => {
    const response = await app.request("GET", `/api/users/${BLANK_ID}/`, admin);
    assert.equal(response.status, 200);
    const body = (await response.json()) as Record<string, unknown>;
    assert.equal(body.email, "");
    assert.equal(body.mobile_number, "");
    assert.equal(body.invite_code, "");
    assert.equal(body.first_name, "");
    assert.equal(body.last_name, "");
    assert.equal(body.avatar, null, "DRF renders a blank ImageField as null");
    assert.equal(body.full_name, null, "SPEC section 2: null when both names are empty");
  });

  test("GraphQL shows the same", async () => {
    const result = await app.graphql(`{ user(id: ${BLANK_ID}) { email mobileNumber inviteCode firstName lastName avatar fullName } }`, {}, admin);
    assert.deepEqual(result, {
      data: { user: { email: "", mobileNumber: "", inviteCode: "", firstName: "", lastName: "", avatar: null, fullName: null } },
    });
  });

  test("a unique column takes one \"\" only, and the line names both records", () => {
    const fixture = fixtureWithBlanks();
    fixture.users.push({ id: 42, username: "blank-too", gender: "male", email: "", mobile_number: "" });
    assert.deepEqual(problemsOf(fixture), [
      `users[${fixture.users.length - 1}] (id 42), field "email": "" is already used by users[${fixture.users.length - 3}] (id ${BLANK_ID})`,
      `users[${fixture.users.length - 1}] (id 42), field "mobile_number": "" is already used by users[${fixture.users.length - 3}] (id ${BLANK_ID})`,
    ]);
  });

  test("a username stays required", () => {
    assert.deepEqual(problemsOf({ users: [{ id: 1, username: "", gender: "male" }] }), [
      'users[0] (id 1), field "username": String must contain at least 1 character(s)',
    ]);
  });
});

describe("lengths count characters, as Django's max_length does", () => {
  test("150 emoji make a valid username and 151 do not (zod alone counted them twice)", async () => {
    const app = await createTestApp(fixtureWithBlanks());
    const response = await app.request("GET", `/api/users/${EMOJI_ID}/`, admin);
    assert.equal(((await response.json()) as { username: string }).username, EMOJI_NAME);
    assert.deepEqual(problemsOf({ users: [{ id: 1, username: "😀".repeat(151), gender: "male" }] }), [
      'users[0] (id 1), field "username": String must contain at most 150 character(s)',
    ]);
  });
});

describe("time zones and ids, as Django writes them", () => {
  test("a timestamp in another zone is kept as the same instant, rendered in UTC as DRF does", async () => {
    const fixture = directoryFixture();
    fixture.users.push({ id: 43, username: "tehran", gender: "other", is_staff: true, created_at: "2026-02-21T10:50:25.338627+03:30" });
    const app = await createTestApp(fixture);
    const response = await app.request("GET", "/api/users/43/", admin);
    assert.equal(((await response.json()) as { created_at: string }).created_at, "2026-02-21T07:20:25.338627Z");
  });

  test("a naive timestamp, or an id past a 32-bit integer, is refused with a line that says why", () => {
    assert.deepEqual(problemsOf({ users: [{ id: 1, username: "naive", gender: "male", created_at: "2026-02-21T07:20:25.859" }] }), [
      'users[0] (id 1), field "created_at": expected ISO 8601 with a zone, such as 2026-02-21T07:20:25.338627Z, got "2026-02-21T07:20:25.859"',
    ]);
    assert.deepEqual(problemsOf({ users: [{ id: 2 ** 31, username: "big", gender: "male" }] }), [
      `users[0] (id ${2 ** 31}), field "id": ids above ${2 ** 31 - 1} (a 32-bit integer, as Django's AutoField) are not supported`,
    ]);
  });
});
