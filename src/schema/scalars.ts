import { GraphQLError, Kind } from "graphql";
import { formatDrfTimestamp, parseIsoTimestamp, type Timestamp } from "../timestamps.ts";
import { builder } from "./builder.ts";

function parseTimestamp(value: unknown): Timestamp {
  const parsed = typeof value === "string" ? parseIsoTimestamp(value) : null;
  if (!parsed) {
    throw new GraphQLError(`DateTime expects an ISO 8601 string with a zone, such as 2026-02-21T07:20:25.338627Z; got ${JSON.stringify(value)}`);
  }
  return parsed;
}

builder.scalarType("DateTime", {
  description: "A UTC instant in the format DRF renders: 2026-02-21T07:20:25.338627Z, or 2026-02-21T07:20:25Z when the fraction is zero.",
  serialize: (value) => formatDrfTimestamp(value),
  parseValue: parseTimestamp,
  parseLiteral: (ast) => parseTimestamp(ast.kind === Kind.STRING ? ast.value : undefined),
});
