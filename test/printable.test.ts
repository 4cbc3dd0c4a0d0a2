import assert from "node:assert/strict";
import { test } from "node:test";
import { printable } from "../src/printable.ts";

test("control characters are shown as escapes, not obeyed", () => {
  assert.equal(printable("a\u001b[2Jb"), "a\\x1b[2Jb");
  assert.equal(printable("ok\rforged"), "ok\\x0dforged");
  assert.equal(printable("nul\u0000here"), "nul\\x00here");
  assert.equal(printable("line\nInjected line"), "line\\x0aInjected line");
  assert.equal(printable("tab\tdel\u007fc1\u009b"), "tab\\x09del\\x7fc1\\x9b");
});

test("bidi controls and line separators are shown as escapes", () => {
  assert.equal(printable("user\u202Egnp.exe"), "user\\u{202e}gnp.exe");
  assert.equal(printable("\u2066a\u2069\u200f\u061c"), "\\u{2066}a\\u{2069}\\u{200f}\\u{61c}");
  assert.equal(printable("a\u2028b"), "a\\u{2028}b");
  assert.equal(printable("lone \ud800 surrogate"), "lone \\u{d800} surrogate");
});

test("ordinary text, Persian and emoji included, stays as it is", () => {
  for (const text of ["moratti120", "می\u200cخواهم", "علی رضایی", "Zoë Ødegård", "🙂 ok", 'field "key": \\x1b']) {
    assert.equal(printable(text), text);
  }
});
