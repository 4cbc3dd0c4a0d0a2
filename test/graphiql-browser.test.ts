// GraphiQL as a developer uses it: a real Chromium opens /graphql, puts the
// token in the Headers tab, runs the default query and reads the answer.
// Needs Debian's chromium; .ci/run installs it. Without it this is skipped,
// but never in CI (test/requirements.ts).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Browser } from "playwright-core";
import { SEED_TOKEN } from "./fixtures/directory.ts";
import { createEmptyDatabaseUrl } from "./helpers.ts";
import { launchChromium, skipWithoutChromium } from "./requirements.ts";
import { startService, type ServiceProcess } from "./service-process.ts";


describe("GraphiQL in a browser", { skip: skipWithoutChromium() }, () => {
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

  test("runs the default query with a token from the Headers tab", { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const outside: string[] = [];
    page.on("request", (request) => {
      if (!request.url().startsWith(origin) && !request.url().startsWith("data:") && !request.url().startsWith("blob:")) outside.push(request.url());
    });
    await page.goto(`${origin}/graphql`);
    await page.waitForSelector(".graphiql-query-editor .monaco-editor");

    await page.getByRole("button", { name: "Headers" }).click();
    const headersEditor = page.locator(".graphiql-editor:not(.hidden) .monaco-editor").last();
    await headersEditor.click();
    // insertText, like a paste: the editor's bracket auto-closing stays out of it.
    await page.keyboard.insertText(JSON.stringify({ Authorization: `Token ${SEED_TOKEN}` }));

    await page.locator(".graphiql-execute-button").click();
    const response = page.locator(".graphiql-response");
    await response.getByText("moratti120").waitFor({ timeout: 20_000 });
    // Monaco renders spaces as no-break spaces.
    const text = (await response.innerText()).replace(/\u00a0/g, " ");
    assert.match(text, /masimo moratti/);
    assert.match(text, /keegan2255/);
    assert.doesNotMatch(text, /UNAUTHENTICATED/);
    assert.deepEqual(outside, [], "GraphiQL loads nothing from outside the service");
    await page.screenshot({ path: `${process.env.TMPDIR ?? "/tmp"}/users-gateway-graphiql.png` });
  });
});
