// PostgreSQL's counterpart of SQLite's data_version (src/db/sqlite-statement-cache.ts):
// a version that changes whenever the directory's tables were written, by any
// client, so that what was read at one version may be kept while it holds
// (src/auth/requester-cache.ts).
//
// The migration 20261201000000_change_notifications makes every statement that
// writes one of the directory's tables send a notification on CHANGES_CHANNEL
// when its transaction commits (a rolled-back one sends none). One connection
// of the service LISTENs: each notification moves the version on.
//
// The version is null (unknown: read every time) whenever this connection
// cannot vouch for it: before it listens, once it errs or ends, and when it
// has not shown it is alive lately. PostgreSQL delivers a session's pending
// notifications before it answers its next statement, so a check that is
// answered proves that every write committed before it was sent has been
// counted. A connection that died without a word (a network that drops
// packets) therefore stops the version within ALIVE_WITHIN_MS. A lost
// connection is opened again, and the version starts afresh: nothing kept
// before the gap matches it.
//
// Written here rather than with pg-listen, the library for this, because its
// last release is from 2020 and it does not say when notifications may have
// been missed, which is what a cache must know; what it does (a pg.Client, a
// periodic check, reconnection) is the few lines below.
import pg from "pg";

export const CHANGES_CHANNEL = "users_gateway_changes";
export const LISTENER_APPLICATION_NAME = "users-gateway change listener";
/** How often the listening connection is asked to answer. */
const CHECK_EVERY_MS = 500;
/** The version is unknown once no check sent this recently was answered. */
const ALIVE_WITHIN_MS = 2_000;
/** How long to wait before opening a lost connection again. */
const RECONNECT_AFTER_MS = 1_000;

export class ChangeListener {
  #client: pg.Client | null = null;
  #connecting = false;
  /** Which connection: a version of an earlier one never matches. */
  #connection = 0;
  #changes = 0;
  /** performance.now() when the last answered check was sent. */
  #aliveSince = -Infinity;
  #checkTimer: NodeJS.Timeout | null = null;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #stopped = false;

  constructor(private readonly connectionString: string) {
    void this.#connect();
  }

  /** Changes whenever a write to the directory was committed; null while that cannot be known. */
  version(): string | null {
    if (!this.#client || performance.now() - this.#aliveSince > ALIVE_WITHIN_MS) return null;
    return `${this.#connection}:${this.#changes}`;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const client = this.#client;
    this.#drop();
    if (client) await end(client);
  }

  async #connect(): Promise<void> {
    this.#reconnectTimer = null;
    this.#connecting = true;
    const client = new pg.Client({
      connectionString: this.connectionString,
      // How an operator tells it apart in pg_stat_activity.
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
      connectionTimeoutMillis: ALIVE_WITHIN_MS,
      // A check that hangs fails, and the connection is replaced.
      query_timeout: ALIVE_WITHIN_MS,
    });
    client.on("notification", () => {
      if (client === this.#client) this.#changes++;
    });
    client.on("error", () => this.#lost(client));
    client.on("end", () => this.#lost(client));
    let sentAt: number;
    try {
      await client.connect();
      sentAt = performance.now();
      await client.query(`LISTEN ${CHANGES_CHANNEL}`);
    } catch {
      this.#connecting = false;
      void end(client);
      this.#retry();
      return;
    }
    this.#connecting = false;
    if (this.#stopped) return end(client);
    this.#client = client;
    this.#connection++;
    this.#changes = 0;
    this.#aliveSince = sentAt;
    // Not kept alive by it: a stopping process calls stop().
    this.#checkTimer = setInterval(() => void this.#check(client), CHECK_EVERY_MS).unref();
  }

  async #check(client: pg.Client): Promise<void> {
    const sentAt = performance.now();
    try {
      await client.query("SELECT 1");
      if (client === this.#client) this.#aliveSince = sentAt;
    } catch {
      this.#lost(client);
    }
  }

  /** The current connection failed: forget it, and open another. (A connecting one's failures are #connect's.) */
  #lost(client: pg.Client): void {
    if (client !== this.#client) return;
    this.#drop();
    void end(client);
    this.#retry();
  }

  #drop(): void {
    this.#client = null;
    if (this.#checkTimer) clearInterval(this.#checkTimer);
    this.#checkTimer = null;
  }

  #retry(): void {
    if (this.#stopped || this.#reconnectTimer || this.#connecting) return;
    this.#reconnectTimer = setTimeout(() => void this.#connect(), RECONNECT_AFTER_MS).unref();
  }
}

/** Ends a connection, waiting a moment at most: a dead one may never say it has ended. */
async function end(client: pg.Client): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, RECONNECT_AFTER_MS).unref()));
  await Promise.race([client.end().catch(() => {}), gaveUp]);
  clearTimeout(timer);
}
