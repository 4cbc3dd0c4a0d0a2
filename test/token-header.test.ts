// DRF's TokenAuthentication header rules, on the pure parser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseTokenHeader } from "../src/auth/token-header.ts";

test("no header, an empty one, or another scheme is not an attempt", () => {
  for (const header of [null, "", "   ", "Bearer x", "Tokens x", "Basic a b c"]) {
    assert.deepEqual(parseTokenHeader(header), { kind: "absent" }, String(header));
  }
});

test("the keyword matches in any ASCII case; runs of ASCII whitespace separate", () => {
  for (const header of ["Token abc", "token abc", "TOKEN\tabc", "  tOkEn \t\n abc \r\n"]) {
    assert.deepEqual(parseTokenHeader(header), { kind: "key", key: "abc" }, JSON.stringify(header));
  }
});

test("the key keeps its case", () => {
  assert.deepEqual(parseTokenHeader("Token AbC"), { kind: "key", key: "AbC" });
});

test("no key, extra words, and bytes that are not UTF-8 are DRF's three messages", () => {
  assert.equal((parseTokenHeader("Token") as { detail: string }).detail, "Invalid token header. No credentials provided.");
  assert.equal((parseTokenHeader("Token a b") as { detail: string }).detail, "Invalid token header. Token string should not contain spaces.");
  assert.equal((parseTokenHeader("Token \u00e9") as { detail: string }).detail, "Invalid token header. Token string should not contain invalid characters.");
});

test("a key in valid UTF-8 is decoded: é arrives as the two bytes C3 A9", () => {
  assert.deepEqual(parseTokenHeader("Token caf\u00c3\u00a9"), { kind: "key", key: "café" });
});

test("non-breaking space (0xA0) is not whitespace to Python's bytes.split()", () => {
  assert.equal((parseTokenHeader("Token a\u00a0b") as { detail: string }).detail, "Invalid token header. Token string should not contain invalid characters.");
});
