// How a row read with SQL comes back to the service: as Prisma's `$queryRaw`
// gives it. readRows() (src/db/client.ts) reads below the client, so it
// reproduces the client's last step here, for both engines.
import { ColumnTypeEnum, type ColumnType, type SqlResultSet } from "@prisma/driver-adapter-utils";

/** Unsupported here: a column of another type sends the read through the ORM instead. */
export class UnsupportedColumnType extends Error {}

/**
 * A value as `$queryRaw` gives it for a column of `type`, from the value a
 * driver adapter answered: Prisma's client turns the adapter's result into
 * JSON-ready values and back, and this is that round trip for the types the
 * service reads (integers, text, booleans, timestamps).
 */
export function columnValue(value: unknown, type: ColumnType): unknown {
  if (value === null) return null;
  switch (type) {
    case ColumnTypeEnum.Int32:
      return Math.trunc(Number(value));
    case ColumnTypeEnum.Int64:
      return BigInt(typeof value === "number" ? Math.trunc(value) : (value as string | bigint));
    case ColumnTypeEnum.Boolean:
      if (typeof value === "boolean") return value;
      return typeof value === "string" ? value === "true" || value === "1" : value === 1;
    case ColumnTypeEnum.DateTime:
    case ColumnTypeEnum.Date:
      return new Date(value as string);
    case ColumnTypeEnum.Float:
    case ColumnTypeEnum.Double:
    case ColumnTypeEnum.UnknownNumber:
    case ColumnTypeEnum.Text:
    case ColumnTypeEnum.Character:
    case ColumnTypeEnum.Enum:
    case ColumnTypeEnum.Uuid:
      return value;
    default:
      throw new UnsupportedColumnType(`column type ${type}`);
  }
}

/** A driver adapter's result set as `$queryRaw`'s records. */
export function toRecords(result: SqlResultSet): Record<string, unknown>[] {
  const { columnNames, columnTypes } = result;
  return result.rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index < columnNames.length; index++) record[columnNames[index]!] = columnValue(row[index], columnTypes[index]!);
    return record;
  });
}
