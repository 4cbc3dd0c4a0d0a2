// sqlTemplate(): a statement's text made once per shape, its values bound per
// read (src/db/sql-template.ts). It must give exactly the statement that
// Prisma.sql would have made with the values themselves.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Prisma } from "../generated/sqlite/prisma/client.ts";
import { idList } from "../src/db/id-list.ts";
import { asPrismaSql, sqlTemplate } from "../src/db/sql-template.ts";

type Parameters = { name: string; at: Date; ids: readonly number[]; others: readonly number[]; limit: number | null };

const build = (parameters: Parameters) => Prisma.sql`
  SELECT * FROM "User" WHERE username = ${parameters.name} AND "lastSeenAt" > ${parameters.at}
    AND id IN (${idList(parameters.ids)}) AND "invitedById" IN (${idList(parameters.others)})
    OR id IN (${idList(parameters.ids)}) LIMIT ${parameters.limit}`;

const parameters = fc.record({
  name: fc.string(),
  at: fc.date({ noInvalidDate: true }),
  ids: fc.array(fc.integer(), { minLength: 1, maxLength: 70 }),
  others: fc.array(fc.integer(), { minLength: 1, maxLength: 20 }),
  limit: fc.option(fc.integer()),
});

test("a template's statement is the one Prisma.sql makes with the same values, lists padded as idList pads them", () => {
  const template = sqlTemplate(build);
  fc.assert(
    fc.property(parameters, (values) => {
      const made = template(values);
      const expected = build(values);
      assert.equal(made.sql, expected.sql);
      assert.equal(made.text, expected.text);
      assert.deepEqual(made.strings, expected.strings);
      assert.deepEqual(made.values, expected.values);
      const orm = asPrismaSql(made);
      assert.ok(orm instanceof Prisma.Sql);
      assert.equal(orm.sql, expected.sql);
      assert.deepEqual(orm.values, expected.values);
    }),
  );
});

test("the text is made once per shape: build runs again only for a new padded length of a list", () => {
  let builds = 0;
  const template = sqlTemplate((parameters: { ids: readonly number[]; key: string }) => {
    builds++;
    return Prisma.sql`SELECT * FROM "User" WHERE id IN (${idList(parameters.ids)}) AND username = ${parameters.key}`;
  });
  for (let length = 1; length <= 100; length++) template({ ids: Array.from({ length }, (_, index) => index), key: `k${length}` });
  assert.equal(builds, 8, "lengths 1 to 100 pad to 1, 2, 4, … 128");
  template({ ids: [5], key: "another" });
  assert.equal(builds, 8);
});

test("a build that uses a parameter's value, not only its place, fails when its shape is made", () => {
  const template = sqlTemplate((parameters: { at: Date }) => Prisma.sql`SELECT ${parameters.at.toISOString()}`);
  assert.throws(() => template({ at: new Date() }), TypeError);
});

test("a Prisma.Sql is handed to the ORM as it is", () => {
  const query = Prisma.sql`SELECT ${1}`;
  assert.equal(asPrismaSql(query), query);
});
