// Records every SQL statement that reaches the driver, below Prisma: the
// honest measure of what a request costs the database, used by the batching
// tests and the benchmarks (and by nothing on the serving path).
import type {
  SqlDriverAdapter,
  SqlDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from "@prisma/driver-adapter-utils";
import type { GatewayAdapter } from "./adapter.ts";

export class StatementRecorder {
  readonly statements: string[] = [];

  /** Forgets what was recorded so far; returns what it held. */
  take(): string[] {
    return this.statements.splice(0);
  }

  wrap = (factory: SqlDriverAdapterFactory): SqlDriverAdapterFactory => {
    const record = (query: Pick<SqlQuery, "sql">) => this.statements.push(query.sql);
    const observe = <T extends SqlDriverAdapter | Transaction>(queryable: T): T =>
      new Proxy(queryable, {
        get(target, property, receiver) {
          const value = Reflect.get(target, property, receiver) as Function;
          // readRecords: the service's own reads on SQLite (src/db/sqlite-records.ts).
          const recorded = property === "queryRaw" || property === "executeRaw" || property === ("readRecords" satisfies keyof GatewayAdapter);
          // readRecords is SQLite's only: where the adapter has none, neither has its observer.
          if (recorded && typeof value === "function") {
            return (query: Pick<SqlQuery, "sql">) => {
              record(query);
              return value.call(target, query);
            };
          }
          if (property === "startTransaction") {
            return async (...args: unknown[]) => observe(await value.apply(target, args));
          }
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    return new Proxy(factory, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver) as Function;
        if (property === "connect") return async () => observe(await value.call(target));
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  };
}
