// The REST route's reference as a developer reads it: a real Chromium opens
// /api/docs/, Swagger UI loads the document from /api/schema/ and shows the
// route with its statuses, loading nothing from outside the service and
// breaking no rule of the page's Content-Security-Policy.
// Same browser rule as graphiql-browser.test.ts: skipped without Chromium, except in CI (test/requirements.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { SEED_TOKEN } from "./fixtures/directory.ts";
import { createEmptyDatabaseUrl } from "./helpers.ts";
import { startService, type ServiceProcess } from "./service-process.ts";
import { launchChromium, skipWithoutChromium } from "./requirements.ts";


describe("the API reference in a browser", { skip: skipWithoutChromium() }, () => {
  let service: ServiceProcess;
  let origin: string;
  let browser: Browser;
  before(async () => {
    service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true" });
    origin = await service.origin;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    service?.child.kill("SIGTERM");
    await service?.exited;
  });

  test("shows the route, its statuses and its User body; tries it out with a token", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    const problems: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith("data:") && !request.url().startsWith("blob:")) outside.push(request.url());
    });
    // A policy violation is reported on the console; so is a script error.
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(message.text());
    });
    page.on("pageerror", (error) => problems.push(error.message));

    const response = await page.goto(`${origin}/api/docs/`);
    assert.equal(response?.status(), 200);
    assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'self'/);
    const operation = page.locator("#operations-users-users_retrieve");
    await operation.waitFor({ timeout: 20_000 });
    assert.match(await operation.innerText(), /\/api\/users\/\{id\}\//);
    await operation.locator(".opblock-summary").click();
    const responses = operation.locator(".responses-table");
    await responses.first().waitFor();
    const codes = await operation.locator(".response-col_status").allInnerTexts();
    for (const status of ["200", "401", "403", "404", "429", "503"]) assert.ok(codes.some((code) => code.trim().startsWith(status)), `${status} in ${codes}`);

    // Authorize with the demo key, then "Try it out" against the service itself.
    await page.locator(".auth-wrapper .authorize").click();
    await page.locator(".modal-ux input[type=text]").fill(`Token ${SEED_TOKEN}`);
    await page.locator(".modal-ux .auth-btn-wrapper button.authorize").click();
    await page.locator(".modal-ux .btn-done").click();
    await operation.locator(".try-out__btn").click();
    await operation.locator("input[placeholder='id']").fill("2");
    await operation.locator(".execute").click();
    const live = operation.locator(".live-responses-table");
    await live.getByText("moratti120").first().waitFor({ timeout: 20_000 });
    assert.match(await live.innerText(), /masimo moratti/);

    assert.deepEqual(outside, [], "the reference loads nothing from outside the service");
    assert.deepEqual(problems, [], "no console errors (a Content-Security-Policy violation would be one)");
    await page.screenshot({ path: `${process.env.TMPDIR ?? "/tmp"}/users-gateway-api-docs.png`, fullPage: false });
  });
});
