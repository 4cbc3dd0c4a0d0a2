// idList(): the ids of an IN list, padded to a power of two (src/db/id-list.ts).
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { idList } from "../src/db/id-list.ts";

test("a list is padded to the next power of two with its last id, so it matches the same rows", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1 }), { minLength: 1, maxLength: 300 }), (ids) => {
      const { values } = idList(ids);
      assert.deepEqual(values.slice(0, ids.length), ids);
      assert.deepEqual(new Set(values), new Set(ids));
      assert.ok(Number.isInteger(Math.log2(values.length)), `${values.length} is a power of two`);
      assert.ok(values.length < 2 * ids.length);
    }),
  );
});

test("lengths up to 100 make eight statements, not a hundred", () => {
  const texts = new Set(Array.from({ length: 100 }, (_, index) => idList(Array.from({ length: index + 1 }, (_, id) => id + 1)).sql));
  assert.equal(texts.size, 8);
});
