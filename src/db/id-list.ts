// The ids of an `IN (…)` list, as one SQL fragment for Prisma.sql.
//
// A list of each length makes a statement of its own, which the database
// parses and plans again and which the statement caches keep apart
// (src/db/sqlite-statement-cache.ts, src/db/pg-statement-names.ts): with one
// length per batch size, the lists alone could fill them. Padding each list to
// the next power of two, by repeating its last id, leaves a dozen lengths for
// the same rows: `IN` matches a row once however often its id is listed.
// Hibernate pads the same way (`hibernate.query.in_clause_parameter_padding`).
import { Prisma } from "../../generated/sqlite/prisma/client.ts";

/** The length a list of `length` ids is padded to: the next power of two. */
export function paddedLength(length: number): number {
  return 2 ** Math.ceil(Math.log2(length));
}

/** The id at `index` of `ids` padded: past its end, its last id. */
export function paddedId(ids: readonly number[], index: number): number {
  return ids[Math.min(index, ids.length - 1)]!;
}

/** `ids` must not be empty: `IN ()` is no SQL, and Prisma.join refuses it. */
export function idList(ids: readonly number[]): Prisma.Sql {
  return Prisma.join(Array.from({ length: paddedLength(ids.length) }, (_, index) => paddedId(ids, index)));
}
