// The floor: what scenario (a) costs with nothing between HTTP and SQLite.
// node:http and better-sqlite3 with prepared statements made once, hand-written
// SQL, and the REST body rendered as the service renders it (same keys, order
// and value formats). No framework, no ORM, no TypeScript loader: plain
// JavaScript, so that `node floor-server.mjs` starts in milliseconds and
// nothing but the work itself is measured. The bench checks, before it
// measures, that this answers the same bodies as the service.
//
// It serves only what the load sends: GET /api/users/<id>/ with a token. It
// keeps the rules that cost something (the token's hash looked up, the
// requester's right checked, last_seen_at written at most once a minute per
// requester, only staff and admins readable) and DRF's error bodies; it skips
// the Host check, OPTIONS and HEAD, which the load never sends.
//
// Environment: FLOOR_DATABASE_FILE (required), PORT (0 = any), MEDIA_URL
// (/media/), PUBLIC_URL (unset: the request's origin), ONLINE_WINDOW_SECONDS (300).
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import Database from "better-sqlite3";

const USER_PERMISSION_CODE = 1222;
const LAST_SEEN_RESOLUTION_MS = 60_000;
const MEDIA_URL = process.env.MEDIA_URL ?? "/media/";
const PUBLIC_URL = process.env.PUBLIC_URL ?? null;
const ONLINE_WINDOW_MS = Number(process.env.ONLINE_WINDOW_SECONDS ?? 300) * 1000;

const db = new Database(process.env.FLOOR_DATABASE_FILE, { fileMustExist: true });
// In WAL mode, as the service's connections put their file (src/db/adapter.ts):
// a data set cached before the service did so is in rollback-journal mode,
// where a read costs about twice as much, and the floor was measured 15–20%
// lower from such a copy than from a new one.
db.pragma("journal_mode = WAL");

// Made once and reused: preparing a statement costs more than running these.
const statements = {
  requester: db.prepare(
    `SELECT u.id, u.isActive, u.isStaff, u.isAdmin, u.lastSeenAt
     FROM "ApiToken" t JOIN "User" u ON u.id = t.userId WHERE t.keyHash = ?`,
  ),
  holdsUserPermission: db.prepare(
    `SELECT 1 FROM "Permission" p WHERE p.code = ${USER_PERMISSION_CODE} AND (
       p.id IN (SELECT A FROM "_PermissionToUser" WHERE B = ?)
       OR p.id IN (SELECT gp.B FROM "_GroupToUser" gu JOIN "_GroupToPermission" gp ON gp.A = gu.A WHERE gu.B = ?))`,
  ),
  // The same condition as the service's: several writers write once between them.
  touchLastSeen: db.prepare(`UPDATE "User" SET lastSeenAt = ? WHERE id = ? AND (lastSeenAt IS NULL OR lastSeenAt <= ?)`),
  user: db.prepare(`SELECT * FROM "User" WHERE id = ?`),
  summary: db.prepare(`SELECT id, username, firstName, lastName FROM "User" WHERE id = ?`),
  invitees: db.prepare(`SELECT id, username, firstName, lastName FROM "User" WHERE invitedById = ? ORDER BY id`),
  groups: db.prepare(`SELECT g.id, g.name FROM "_GroupToUser" gu JOIN "Group" g ON g.id = gu.A WHERE gu.B = ? ORDER BY g.id`),
  permissions: db.prepare(
    `SELECT id, code, name FROM "Permission"
     WHERE id IN (SELECT A FROM "_PermissionToUser" WHERE B = ?)
        OR id IN (SELECT gp.B FROM "_GroupToUser" gu JOIN "_GroupToPermission" gp ON gp.A = gu.A WHERE gu.B = ?)
     ORDER BY id`,
  ),
};

const MESSAGES = {
  notAuthenticated: "Authentication credentials were not provided.",
  noCredentials: "Invalid token header. No credentials provided.",
  tokenWithSpaces: "Invalid token header. Token string should not contain spaces.",
  invalidToken: "Invalid token.",
  inactiveUser: "User inactive or deleted.",
  permissionDenied: "You do not have permission to perform this action.",
  notFound: "Not found.",
};

// DRF's JSONRenderer: compact, non-ASCII as is, U+2028 and U+2029 escaped.
const renderJson = (value) => JSON.stringify(value).replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

function send(response, status, body, headers = {}) {
  const text = renderJson(body);
  response.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
    Allow: "GET, HEAD, OPTIONS",
    Vary: "Accept",
    ...headers,
  });
  response.end(text);
}

// Prisma's SQLite adapter stores a DateTime as ISO 8601 text in UTC with milliseconds.
const storedDate = (date) => date.toISOString().replace("Z", "+00:00");

/** DRF's DateTimeField: six fractional digits from the stored milliseconds and micros, none when all zero. */
function drfTimestamp(stored, micros) {
  const date = new Date(stored);
  const fraction = date.getUTCMilliseconds() * 1000 + Number(micros ?? 0);
  const seconds = date.toISOString().slice(0, 19);
  return fraction === 0 ? `${seconds}Z` : `${seconds}.${String(fraction).padStart(6, "0")}Z`;
}

function fullName(user) {
  const joined = `${user.firstName ?? ""} ${user.lastName ?? ""}`.trim();
  return joined === "" ? null : joined;
}

const summary = (user) => ({ id: user.id, username: user.username, full_name: fullName(user) });

function avatarUrl(avatar, request) {
  if (avatar === null || avatar === "") return null;
  if (/^https?:\/\//i.test(avatar)) return avatar;
  const origin = PUBLIC_URL ?? new URL(`http://${request.headers.host}`).origin;
  const base = /^https?:\/\//.test(MEDIA_URL) ? MEDIA_URL : origin + MEDIA_URL;
  return base + avatar.replace(/^\/+/, "").split("/").map(encodeURIComponent).join("/");
}

/** The key of `Authorization: Token <key>`, or the 401 detail; null when no token was sent at all. */
function tokenKey(header) {
  if (header === undefined) return { detail: MESSAGES.notAuthenticated };
  const words = header.split(/[ \t\n\v\f\r]+/).filter(Boolean);
  if (words[0]?.toLowerCase() !== "token") return { detail: MESSAGES.notAuthenticated };
  if (words.length === 1) return { detail: MESSAGES.noCredentials };
  if (words.length > 2) return { detail: MESSAGES.tokenWithSpaces };
  return { key: words[1] };
}

function retrieve(request, response, id) {
  const now = new Date();
  const token = tokenKey(request.headers.authorization);
  if (token.detail) return send(response, 401, { detail: token.detail }, { "WWW-Authenticate": "Token" });
  const requester = statements.requester.get(createHash("sha256").update(token.key, "utf8").digest("hex"));
  if (!requester) return send(response, 401, { detail: MESSAGES.invalidToken }, { "WWW-Authenticate": "Token" });
  if (!requester.isActive) return send(response, 401, { detail: MESSAGES.inactiveUser }, { "WWW-Authenticate": "Token" });

  const threshold = new Date(now.getTime() - LAST_SEEN_RESOLUTION_MS);
  if (requester.lastSeenAt === null || new Date(requester.lastSeenAt) <= threshold) {
    statements.touchLastSeen.run(storedDate(now), requester.id, storedDate(threshold));
  }
  const mayRead =
    requester.isAdmin || (requester.isStaff && statements.holdsUserPermission.get(requester.id, requester.id) !== undefined);
  if (!mayRead) return send(response, 403, { detail: MESSAGES.permissionDenied });
  if (request.method !== "GET") return send(response, 405, { detail: `Method "${request.method}" not allowed.` });

  const user = id <= 2 ** 31 - 1 ? statements.user.get(id) : undefined;
  if (!user || !(user.isStaff || user.isAdmin)) return send(response, 404, { detail: MESSAGES.notFound });

  const inviter = user.invitedById === null ? undefined : statements.summary.get(user.invitedById);
  const invitees = statements.invitees.all(user.id);
  send(response, 200, {
    id: user.id,
    username: user.username,
    mobile_number: user.mobileNumber,
    email: user.email,
    is_email_verified: user.isEmailVerified === 1,
    avatar: avatarUrl(user.avatar, request),
    first_name: user.firstName,
    last_name: user.lastName,
    full_name: fullName(user),
    gender: user.gender,
    invited_by: inviter ? summary(inviter) : null,
    invite_code: user.inviteCode,
    invitees_count: invitees.length,
    is_active: user.isActive === 1,
    is_staff: user.isStaff === 1,
    is_admin: user.isAdmin === 1,
    is_online: user.lastSeenAt !== null && now.getTime() - new Date(user.lastSeenAt).getTime() <= ONLINE_WINDOW_MS,
    is_profile_completed: user.isProfileCompleted === 1,
    last_login: user.lastLogin === null ? null : drfTimestamp(user.lastLogin, user.lastLoginMicros),
    created_at: drfTimestamp(user.createdAt, user.createdAtMicros),
    updated_at: drfTimestamp(user.updatedAt, user.updatedAtMicros),
    invitees: invitees.map(summary),
    groups_data: statements.groups.all(user.id),
    permissions_data: statements.permissions.all(user.id, user.id),
  });
}

const server = createServer((request, response) => {
  const match = /^\/api\/users\/(\d+)\/?$/.exec(request.url ?? "");
  if (!match) {
    const text = renderJson({ detail: MESSAGES.notFound });
    response.writeHead(404, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
    return response.end(text);
  }
  retrieve(request, response, Number(match[1]));
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`floor listening on http://127.0.0.1:${server.address().port}`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 2_000).unref();
};
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
