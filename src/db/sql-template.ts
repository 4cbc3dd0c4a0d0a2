// Statements read on every request, their SQL text made once per shape and
// their values bound per read.
//
// Why: a Prisma.Sql is flattened from its fragments when it is made, and
// joined into its text again each time that text is asked for (its `sql` and
// `text` getters build a new string). The statement caches
// (src/db/sqlite-statement-cache.ts, src/db/pg-statement-names.ts) then hash
// that new string, a kilobyte or two, to find their statement. For the
// requester's statement on SQLite that was 2.2 of its 7.1 µs (scratch timing
// on the bench's data set, the text made each time against made once); a
// REST retrieve makes four such reads. A template's text is one string, made
// once, whose hash V8 keeps.
//
// No library does this for Prisma.Sql: sql-template-tag (which Prisma.Sql is)
// builds each query anew, and Prisma's TypedSQL reads .sql files through the
// ORM, the cost the service's reads avoid (src/loaders.ts).
import { Prisma } from "../../generated/sqlite/prisma/client.ts";
import { paddedId, paddedLength } from "./id-list.ts";

/** What readRows() reads: a Prisma.Sql, or a template's statement with its values. */
export type SqlQuery = { readonly sql: string; readonly text: string; readonly strings: readonly string[]; readonly values: unknown[] };

/** A scalar value to bind, or a list of ids for an `IN` list (idList). */
type ParameterValue = string | number | boolean | Date | null | readonly number[];

/** Stands for a parameter in the statement made once: its name, and for a list, its place in it. */
class Slot {
  constructor(
    readonly name: string,
    readonly index: number | null,
  ) {}
}

type Shape = { sql: string; text: string; strings: readonly string[]; slots: readonly unknown[] };

/**
 * A function from `parameters` to the statement `build` makes with them, its
 * text made once for each shape: a template without lists has one shape; one
 * with lists has one per padded length of each list (src/db/id-list.ts), as
 * the statements would have anyway.
 *
 * `build` is called with stand-ins for the parameters, not their values, so
 * it may only place them in the statement (`${parameters.keyHash}`, or
 * `${idList(parameters.ids)}` for a list); a statement that differs by a
 * value is two templates. A stand-in has no methods: a `build` that calls one
 * fails when the shape is first made, not with a wrong statement.
 */
export function sqlTemplate<Parameters extends Record<string, ParameterValue>>(build: (parameters: Parameters) => Prisma.Sql): (parameters: Parameters) => SqlQuery {
  const shapes = new Map<string, Shape>();
  const shapeOf = (parameters: Parameters): Shape => {
    let key = "";
    for (const name in parameters) {
      const value = parameters[name];
      if (Array.isArray(value)) key += `${name}:${paddedLength(value.length)},`;
    }
    let shape = shapes.get(key);
    if (!shape) {
      const standIns: Record<string, Slot | Slot[]> = {};
      for (const name in parameters) {
        const value = parameters[name];
        standIns[name] = Array.isArray(value) ? Array.from({ length: paddedLength(value.length) }, (_, index) => new Slot(name, index)) : new Slot(name, null);
      }
      const made = build(standIns as unknown as Parameters);
      shape = { sql: made.sql, text: made.text, strings: made.strings, slots: made.values };
      shapes.set(key, shape);
    }
    return shape;
  };
  return (parameters) => {
    const { sql, text, strings, slots } = shapeOf(parameters);
    const values = slots.map((slot) => {
      if (!(slot instanceof Slot)) return slot;
      const value = parameters[slot.name];
      return slot.index === null ? value : paddedId(value as readonly number[], slot.index);
    });
    return { sql, text, strings, values };
  };
}

/** The Prisma.Sql of `query`, for the ORM's `$queryRaw`. */
export function asPrismaSql(query: SqlQuery): Prisma.Sql {
  return query instanceof Prisma.Sql ? query : new Prisma.Sql(query.strings, query.values as Prisma.Sql["values"]);
}
