import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDrfTimestamp, parseIsoTimestamp } from "../src/timestamps.ts";

const roundTrip = (text: string) => formatDrfTimestamp(parseIsoTimestamp(text)!);

test("microseconds survive a round trip; a zero fraction is left out, as Python's isoformat does", () => {
  assert.equal(roundTrip("2026-02-21T07:20:25.338627Z"), "2026-02-21T07:20:25.338627Z");
  assert.equal(roundTrip("2026-02-21T07:20:25.338Z"), "2026-02-21T07:20:25.338000Z");
  assert.equal(roundTrip("2026-02-21T07:20:25.000001Z"), "2026-02-21T07:20:25.000001Z");
  assert.equal(roundTrip("2026-02-21T07:20:25.000000Z"), "2026-02-21T07:20:25Z");
  assert.equal(roundTrip("2026-02-21T07:20:25Z"), "2026-02-21T07:20:25Z");
});

test("offsets are turned into UTC", () => {
  assert.equal(roundTrip("2026-02-21T10:50:25.5+03:30"), "2026-02-21T07:20:25.500000Z");
  assert.equal(roundTrip("2026-02-20T23:00:00-08:00"), "2026-02-21T07:00:00Z");
});

test("anything else is refused rather than guessed", () => {
  for (const text of ["2026-02-21", "2026-02-21T07:20:25", "2026-02-30T00:00:00Z", "2026-02-21T24:00:00Z", "2026-02-21T07:20:25.1234567Z", "yesterday"]) {
    assert.equal(parseIsoTimestamp(text), null, text);
  }
});
