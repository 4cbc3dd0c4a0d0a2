// The web client example (examples/web-client/) run for real: built by its
// own build script, served from an origin of its own by a plain node:http
// server, talking to the service started as a process with that origin in
// CORS_ORIGINS and the example's manifest in GRAPHQL_TRUSTED_DOCUMENTS, and
// driven in Debian's Chromium: a bad key, then a good one, a search, the
// next page and back, one user's details. What the page shows is compared
// with what the API answers for the same operation.
// Needs chromium; skipped without it, except in CI (test/requirements.ts).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { importFixture } from "../src/fixtures/import-fixture.ts";
import { parseFixture } from "../src/fixtures/parse-fixture.ts";
import {
  SignedInDocument,
  StaffDirectoryDocument,
  StaffMemberDocument,
  type StaffDirectoryQuery,
  type StaffDirectoryQueryVariables,
  type StaffMemberQuery,
} from "../examples/web-client/src/gql/graphql.ts";
import { directoryFixture } from "./fixtures/directory.ts";
import { keyFor } from "./fixtures/keys.ts";
import { createTestDatabase } from "./helpers.ts";
import { launchChromium, skipWithoutChromium } from "./requirements.ts";
import { startService, type ServiceProcess } from "./service-process.ts";


const EXAMPLE = fileURLToPath(new URL("../examples/web-client/", import.meta.url));
const MANIFEST = join(EXAMPLE, "src/gql/persisted-documents.json");
/** The page's page size (examples/web-client/src/main.ts). */
const PAGE_SIZE = 5;
const ADMIN_KEY = keyFor("admin");

/** The access-rule directory, and twelve staff whose usernames hold "crew": three pages of the page's size. */
function crewFixture() {
  const fixture = directoryFixture() as ReturnType<typeof directoryFixture> & { users: Record<string, unknown>[] };
  const names = ["alba", "bruno", "carla", "dario", "elena", "fabio", "gina", "hugo", "ivana", "luca", "marta", "nico"];
  names.forEach((name, index) => {
    fixture.users.push({
      id: 30 + index,
      username: `crew-${name}`,
      gender: "other",
      created_at: "2026-03-01T08:00:00Z",
      updated_at: "2026-03-01T08:00:00Z",
      is_staff: index % 4 !== 3,
      is_admin: index % 4 === 3,
      is_active: index !== 7,
      first_name: name[0]!.toUpperCase() + name.slice(1),
      last_name: index % 3 === 0 ? "Rossi" : null,
      email: index % 2 === 0 ? `${name}@crew.example` : null,
      // crew-alba invited six of them (the details show five and "1 more"), the admin the others.
      invited_by: index === 0 ? 10 : index <= 6 ? 30 : 10,
      groups: index % 3 === 0 ? [1, 3] : index % 3 === 1 ? [2] : [],
      permissions: index % 2 === 0 ? [1] : [],
    });
  });
  return fixture;
}

/** Serves `root`'s files on a port of its own: the page's origin, not the service's. */
async function serveStatic(root: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".map": "application/json" };
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? "/", "http://page").pathname)).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path === "/" ? "index.html" : path);
    try {
      const body = await readFile(file);
      response.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      response.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe("the web client example in a browser", { skip: skipWithoutChromium() }, () => {
  const outdir = mkdtempSync(join(tmpdir(), "users-gateway-web-client-"));
  let statics: { server: Server; origin: string };
  let service: ServiceProcess;
  let apiOrigin: string;
  let browser: Browser;

  before(async () => {
    // The example's own build step, as `npm run build` runs it there.
    await promisify(execFile)(process.execPath, ["--import", "tsx", "build.ts", outdir], { cwd: EXAMPLE });
    statics = await serveStatic(outdir);
    const { target, db } = await createTestDatabase();
    await importFixture(db, parseFixture(crewFixture()));
    await db.$disconnect();
    service = startService({ DATABASE_URL: target.url, DEMO_DATA: "false", CORS_ORIGINS: statics.origin, GRAPHQL_TRUSTED_DOCUMENTS: MANIFEST });
    apiOrigin = await service.origin;
    // The banner (the line that gave the origin) says what the service trusts.
    const bannerSays = service.sees(/"trustedDocuments":"3 from [^"]*persisted-documents\.json, no other document runs"/);
    await Promise.race([bannerSays, new Promise((_, reject) => setTimeout(() => reject(new Error("the banner does not name the manifest")), 2_000))]);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    service?.child.kill("SIGTERM");
    await service?.exited;
    await new Promise((resolve) => statics?.server.close(resolve));
    rmSync(outdir, { recursive: true, force: true });
  });

  /** What the API answers for one of the page's operations, asked by its id as the page does. */
  async function api<Data>(document: object, variables: Record<string, unknown>): Promise<Data> {
    const documentId = (document as { __meta__: { hash: string } }).__meta__.hash;
    const response = await fetch(`${apiOrigin}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Token ${ADMIN_KEY}` },
      body: JSON.stringify({ documentId, variables }),
    });
    const body = (await response.json()) as { data?: Data; errors?: unknown };
    assert.equal(body.errors, undefined, JSON.stringify(body.errors));
    return body.data!;
  }
  const directory = (variables: StaffDirectoryQueryVariables) =>
    api<StaffDirectoryQuery>(StaffDirectoryDocument, { ...variables }).then((data) => data.users);

  /** The table's rows as the page shows them. */
  const shownRows = (page: Page) =>
    page.locator("#user-rows tr").evaluateAll((rows) => rows.map((row) => Array.from(row.querySelectorAll("td"), (cell) => cell.textContent ?? "")));
  /** The rows the page must show for an API page: username, name, email, role. */
  const expectedRows = (users: StaffDirectoryQuery["users"]) =>
    users.edges.map(({ node }) => [node.username, node.fullName ?? "", node.email ?? "", [node.isStaff && "staff", node.isAdmin && "admin"].filter(Boolean).join(", ")]);

  /** Waits until the table shows `expected` (the page updates when its answer comes), then compares them for a readable diff. */
  async function assertTable(page: Page, users: StaffDirectoryQuery["users"], pageNumber: number) {
    const expected = expectedRows(users);
    await page
      .waitForFunction(
        (want) => JSON.stringify(Array.from(document.querySelectorAll("#user-rows tr"), (row) => Array.from(row.querySelectorAll("td"), (cell) => cell.textContent))) === want,
        JSON.stringify(expected),
        { timeout: 10_000 },
      )
      .catch(() => {});
    assert.deepEqual(await shownRows(page), expected);
    assert.equal(await page.locator("#total").textContent(), `${users.totalCount} users`);
    assert.equal(await page.locator("#page-number").textContent(), `Page ${pageNumber}`);
    assert.equal(await page.locator("#next-page").isDisabled(), !users.pageInfo.hasNextPage);
    assert.equal(await page.locator("#previous-page").isDisabled(), !users.pageInfo.hasPreviousPage);
  }

  test("a key, a search, the next page and back, one user's details: the page shows what the API answers", { timeout: 90_000 }, async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const textSent: string[] = [];
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(statics.origin) && !url.startsWith(apiOrigin) && !url.startsWith("data:")) outside.push(url);
      // Trusted documents: the page sends ids, never GraphQL text.
      if (url.startsWith(apiOrigin) && (new URL(url).searchParams.has("query") || /"query"\s*:/.test(request.postData() ?? ""))) textSent.push(url);
    });
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${statics.origin}/?api=${encodeURIComponent(apiOrigin)}`);
    assert.equal(await page.locator("#api-url").inputValue(), apiOrigin);

    // A wrong key: the API's error, and no directory.
    await page.locator("#api-key").fill("0".repeat(40));
    await page.getByRole("button", { name: "Open the directory" }).click();
    await page.locator("#error").getByText("UNAUTHENTICATED").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("#error").textContent(), "UNAUTHENTICATED: Invalid token.");
    assert.equal(await page.locator("#directory").isHidden(), true);

    // The admin's key: the first page of everyone the admin may read.
    await page.locator("#api-key").fill(ADMIN_KEY);
    await page.getByRole("button", { name: "Open the directory" }).click();
    await page.locator("#signed-in").getByText("Signed in as admin").waitFor({ timeout: 15_000 });
    assert.equal(await page.locator("#error").isHidden(), true);
    const me = await api<{ me: { username: string } }>(SignedInDocument, {});
    assert.equal(me.me.username, "admin");
    const everyone = await directory({ first: PAGE_SIZE, search: null });
    await assertTable(page, everyone, 1);
    const readable = crewFixture().users.filter((user) => user.is_staff === true || user.is_admin === true);
    assert.equal(everyone.totalCount, readable.length, "the fixture's staff and admins, inactive ones included");

    // A search, typed key by key as a user types it.
    await page.locator("#search").pressSequentially("crew", { delay: 40 });
    const first = await directory({ first: PAGE_SIZE, search: "crew" });
    assert.equal(first.totalCount, 12);
    await assertTable(page, first, 1);

    await page.getByRole("button", { name: "Next" }).click();
    const second = await directory({ first: PAGE_SIZE, after: first.pageInfo.endCursor, search: "crew" });
    await assertTable(page, second, 2);
    assert.deepEqual(
      second.edges.map(({ node }) => node.username),
      ["crew-fabio", "crew-gina", "crew-hugo", "crew-ivana", "crew-luca"],
    );

    await page.getByRole("button", { name: "Previous" }).click();
    const back = await directory({ last: PAGE_SIZE, before: second.pageInfo.startCursor, search: "crew" });
    assert.deepEqual(expectedRows(back), expectedRows(first));
    await assertTable(page, back, 1);
    await page.getByRole("button", { name: "Next" }).click();
    await assertTable(page, second, 2);

    // One user's details: crew-alba, on the first page, invited six.
    await page.getByRole("button", { name: "Previous" }).click();
    await assertTable(page, back, 1);
    await page.locator("#user-rows").getByRole("button", { name: "crew-alba" }).click();
    await page.locator("#details h2").getByText("crew-alba").waitFor({ timeout: 10_000 });
    const { user } = await api<StaffMemberQuery>(StaffMemberDocument, { id: "30", inviteesFirst: 5 });
    assert.ok(user);
    const summary = (other: { username: string; fullName?: string | null }) => (other.fullName ? `${other.username} (${other.fullName})` : other.username);
    const field = (name: string) => page.locator(`#details dd[data-field="${name}"] .item`).allTextContents();
    assert.deepEqual(await field("fullName"), [user.fullName]);
    assert.deepEqual(await field("email"), [user.email]);
    assert.deepEqual(await field("role"), ["staff"]);
    assert.deepEqual(await field("groups"), user.groups.map((group) => group.name));
    assert.deepEqual(await field("permissions"), user.permissions.map((permission) => `${permission.code} ${permission.name}`));
    assert.deepEqual(await field("invitedBy"), [summary(user.invitedBy!)]);
    assert.equal(user.inviteesConnection.totalCount, 6);
    assert.deepEqual(await field("invitees"), [...user.inviteesConnection.edges.map(({ node }) => summary(node)), "and 1 more"]);
    assert.equal(await page.locator("#details dt", { hasText: "Invitees" }).textContent(), "Invitees (6)");
    // What the fixture says, so that the comparison above is not of two empty lists.
    assert.deepEqual(user.groups.map((group) => group.name), ["Inter", "Reports"]);
    assert.equal(user.invitedBy?.username, "admin");

    assert.deepEqual(pageErrors, []);
    assert.deepEqual(textSent, [], "the page sends document ids only");
    assert.deepEqual(outside, [], "the page loads nothing from outside its origin and the service");
    await page.screenshot({ path: `${process.env.TMPDIR ?? "/tmp"}/users-gateway-web-client.png`, fullPage: true });
  });
});
