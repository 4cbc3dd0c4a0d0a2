// readRows() on SQLite (src/db/client.ts): a read straight from better-sqlite3,
// answered exactly as Prisma's `$queryRaw` would answer it.
//
// Through @prisma/adapter-better-sqlite3, each read paid for what the service
// never needs: debug formatting of the query, the arguments mapped by their
// declared types, the columns' declared types mapped again on every call, a
// fresh array per row and value, and then the client's conversion on top
// (src/db/row-values.ts). Under GraphQL load that was about 7% of the CPU
// (bench scenario c, CPU profile). Here the column types are worked out once
// per statement and each value is converted in one pass. The rules are the
// adapter's (7.10, src/conversion.ts: mapArg, mapDeclType, getColumnTypes,
// mapRow), copied below where they apply; test/sqlite-records.test.ts checks,
// on generated rows and arguments, that both paths answer alike, and
// test/loaders.test.ts checks every loader against the ORM.
import { ColumnTypeEnum, type ColumnType } from "@prisma/driver-adapter-utils";
import { columnValue, UnsupportedColumnType } from "./row-values.ts";
import type { CachedStatement, StatementCache } from "./sqlite-statement-cache.ts";

export type SqlRead = { sql: string; args: readonly unknown[] };
export type RecordReader = (query: SqlRead) => Record<string, unknown>[];

const { Int32, Int64, Float, Double, DateTime, Date: DateOnly, Text, Boolean: Bool, UnknownNumber } = ColumnTypeEnum;

const named = (type: ColumnType | null, ...names: string[]) => names.map((name) => [name, type] as const);

/**
 * The adapter's type for each declared column type it knows (mapDeclType);
 * null where it would fail or that columnValue cannot give (DECIMAL, TIME,
 * BLOB, JSONB): such a statement goes through the adapter. A column with no
 * declared type, or one the adapter does not know, has its type inferred
 * from the rows (inferredType).
 */
const DECLARED_TYPES = new Map<string, ColumnType | null>([
  ...named(null, "DECIMAL", "TIME", "BLOB", "JSONB"),
  ...named(Float, "FLOAT"),
  ...named(Double, "DOUBLE", "DOUBLE PRECISION", "NUMERIC", "REAL"),
  ...named(Int32, "TINYINT", "SMALLINT", "MEDIUMINT", "INT", "INTEGER", "SERIAL", "INT2"),
  ...named(Int64, "BIGINT", "UNSIGNED BIG INT", "INT8"),
  ...named(DateTime, "DATETIME", "TIMESTAMP"),
  ...named(DateOnly, "DATE"),
  ...named(Text, "TEXT", "CLOB", "CHARACTER", "VARCHAR", "VARYING CHARACTER", "NCHAR", "NATIVE CHARACTER", "NVARCHAR"),
  ...named(Bool, "BOOLEAN"),
]);

type ValueOf = (value: unknown, type: ColumnType) => unknown;
type RecordOf = (row: unknown[], valueOf: ValueOf, types: ColumnType[]) => Record<string, unknown>;

/**
 * What the statement's columns are: a type for each declared column,
 * undefined where the rows decide; and how a row becomes its record.
 */
type Plan = { declared: (ColumnType | undefined)[]; recordOf: RecordOf };

function planOf({ columns }: CachedStatement): Plan {
  const definitions = columns();
  return {
    declared: definitions.map(({ type }) => {
      const known = type === null ? undefined : DECLARED_TYPES.get(type.toUpperCase());
      if (known === null) throw new UnsupportedColumnType(`declared column type ${type}`);
      return known;
    }),
    recordOf: recordMaker(definitions.map((column) => column.name)),
  };
}

/**
 * A function that makes a row's record as one object literal with every
 * column's name: every record of a statement then has one shape from its
 * start. Set one key at a time, each record went through a chain of shapes
 * and each store was a lookup by a name V8 could not predict: a user with
 * its inviter (44 columns) took 4.1 µs a row to convert, 1.8 this way
 * (scratch timing, the bench's data). The names are the statement's own
 * column names (SQL written in src/), written as JSON string literals.
 */
function recordMaker(names: string[]): RecordOf {
  const fields = names.map((name, index) => `${JSON.stringify(name)}: valueOf(row[${index}], types[${index}])`);
  return new Function("row", "valueOf", "types", `return { ${fields.join(", ")} };`) as RecordOf;
}

/** The adapter's type for a column without a declared one: from its first value that is not null (getColumnTypes). */
function inferredType(rows: unknown[][], index: number): ColumnType {
  for (const row of rows) {
    const value = row[index];
    if (value === null) continue;
    switch (typeof value) {
      case "string":
        return Text;
      case "bigint":
        return Int64;
      case "boolean":
        return Bool;
      case "number":
        return UnknownNumber;
      default:
        // The adapter answers Bytes for an ArrayBuffer and fails on anything else; neither is read here.
        throw new UnsupportedColumnType(`value of type ${typeof value}`);
    }
  }
  return Int32;
}

/** A value as the adapter hands it to the client (mapRow); better-sqlite3 gives integers as BigInt (safe integers on). */
function adapterValue(value: unknown, type: ColumnType): unknown {
  if (typeof value === "number" && (type === Int32 || type === Int64) && !Number.isInteger(value)) return Math.trunc(value);
  if ((typeof value === "number" || typeof value === "bigint") && type === DateTime) return new Date(Number(value)).toISOString();
  if (typeof value === "bigint") {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  return value;
}

/** A value as `$queryRaw` gives it, from the value better-sqlite3 read. */
const recordValue: ValueOf = (value, type) => columnValue(adapterValue(value, type), type);

/**
 * An argument as the adapter binds it (mapArg) for the types readRows()
 * describes it with. The client hands the adapter its arguments through
 * JSON, which writes -0 as 0; bound as it is, SQLite would answer -0 where
 * the ORM answers 0 (found by test/sqlite-records.test.ts's property).
 */
function boundValue(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  return value;
}

/**
 * Reads the rows of a SELECT from the statement cache's statements. Throws on
 * anything it does not read exactly as the adapter would (a statement that
 * is not a read, a type it does not convert); readRows() then reads through
 * the ORM.
 */
export function sqliteRecordReader(cache: StatementCache): RecordReader {
  const plans = new WeakMap<CachedStatement, Plan>();
  return ({ sql, args }) => {
    const cached = cache.statement(sql);
    if (!cached.statement.reader || !cached.statement.readonly) throw new Error("readRows() reads only");
    let plan = plans.get(cached);
    if (!plan) plans.set(cached, (plan = planOf(cached)));
    const rows = cache.read(() => cached.statement.raw(true).all(...args.map(boundValue)) as unknown[][]);
    const { declared, recordOf } = plan;
    const types = declared.map((type, index) => type ?? inferredType(rows, index));
    return rows.map((row) => recordOf(row, recordValue, types));
  };
}
