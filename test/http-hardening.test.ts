// What reaches the service over a real socket, byte for byte as a hostile or
// broken client sends it: Host headers, request targets, repeated headers,
// slow clients, bodies too large. No fetch client can send most of these, so
// a raw socket (or node:http, which can hold a body back) does.
import assert from "node:assert/strict";
import { request as httpRequest, type ClientRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { DEMO_ADMIN_KEY } from "../src/fixtures/demo-data.ts";
import { DRF_MESSAGES } from "../src/errors.ts";
import { createEmptyDatabaseUrl } from "./helpers.ts";
import { logRecords, startService, type ServiceProcess } from "./service-process.ts";

type RawResponse = { status: number; head: string; body: string };

/** Sends `lines` as one request (CRLF-joined, `Connection: close` added) and reads the answer to the end. */
function rawRequest(origin: string, lines: string[]): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write([...lines, "Connection: close", "", ""].join("\r\n"));
    });
    let received = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const [head = "", body = ""] = received.split("\r\n\r\n", 2);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body });
    });
  });
}

const get = (path: string, host: string, ...headers: string[]) => [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...headers];
const adminKey = `Authorization: Token ${DEMO_ADMIN_KEY}`;

type BodyResponse = { status: number; headers: IncomingHttpHeaders; body: string };

/**
 * A POST through node:http that `send` writes the body of, as much of it as
 * it likes: the answer is awaited whether or not the body was ended, so a
 * refusal that does not wait for the whole body shows.
 */
function post(origin: string, path: string, headers: Record<string, string>, send: (request: ClientRequest) => void): Promise<BodyResponse> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${origin}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers } });
    request.on("error", reject);
    request.on("response", (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => {
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body });
        request.destroy();
      });
    });
    send(request);
  });
}

/** A GraphQL request body of exactly `size` bytes: the operation, then spaces. */
function graphqlBodyOfSize(size: number, query = "{ me { username } }"): string {
  const body = JSON.stringify({ query });
  return body + " ".repeat(size - Buffer.byteLength(body));
}

const MAX_BODY_BYTES = 4096;
const tooLargeDetail = { detail: `Request body too large: the limit is ${MAX_BODY_BYTES} bytes.` };

describe("over a real socket", () => {
  let service: ServiceProcess;
  let origin: string;
  let host: string;
  before(async () => {
    service = startService({
      DATABASE_URL: await createEmptyDatabaseUrl(),
      DEMO_DATA: "true",
      HTTP_HEADERS_TIMEOUT_MS: "500",
      HTTP_REQUEST_TIMEOUT_MS: "1000",
      MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    });
    origin = await service.origin;
    host = new URL(origin).host;
  });
  after(() => service?.child.kill("SIGTERM"));

  test("the request answers as usual", async () => {
    const response = await rawRequest(origin, get("/api/users/2/", host, adminKey));
    assert.equal(response.status, 200);
    assert.equal(JSON.parse(response.body).username, "moratti120");
  });

  for (const badHost of ["[zz", "a b", "x/graphql?query=%7B__typename%7D#", "users.example.com@evil", "evil\\x"]) {
    test(`Host ${JSON.stringify(badHost)} is a 400 with a JSON detail, on any path`, async () => {
      for (const path of ["/api/users/1/", "/graphql", "/healthz", "/"]) {
        const response = await rawRequest(origin, get(path, badHost, adminKey));
        assert.equal(response.status, 400, path);
        assert.match(response.head, /content-type: application\/json/i);
        assert.deepEqual(JSON.parse(response.body), { detail: "Bad Request: the Host header is not a valid host name." });
      }
    });
  }

  test("a Host that smuggles a path cannot route the request to GraphQL", async () => {
    // Built into a URL, this Host would make the path /graphql and the real target a fragment.
    const response = await rawRequest(origin, get("/api/users/1/", "x/graphql?query={__typename}#", adminKey));
    assert.doesNotMatch(response.body, /__typename|"data"/);
  });

  for (const path of ["/api/x/../users/2/", "/api/users/./2/", "/api\\users\\2\\", "/api/users/2/..%2F2/", "//api/users/2/"]) {
    test(`the path is routed as sent: ${path} is not user 2`, async () => {
      const response = await rawRequest(origin, get(path, host, adminKey));
      assert.equal(response.status, 404);
      assert.deepEqual(JSON.parse(response.body), { detail: DRF_MESSAGES.notFound });
    });
  }

  test("a request target in absolute form is refused", async () => {
    const response = await rawRequest(origin, get("http://evil.example/api/users/2/", host, adminKey));
    assert.equal(response.status, 400);
    assert.doesNotMatch(response.body, /moratti120/);
  });

  test("two Authorization headers are refused as DRF behind gunicorn refuses them", async () => {
    for (const second of [adminKey, "Authorization: Token 0000000000000000000000000000000000000000"]) {
      const response = await rawRequest(origin, get("/api/users/2/", host, adminKey, second));
      assert.equal(response.status, 401);
      assert.match(response.head, /www-authenticate: Token/i);
      assert.deepEqual(JSON.parse(response.body), { detail: DRF_MESSAGES.tokenWithSpaces });
    }
  });

  test("no response carries a stack trace or a file path", async () => {
    const probes = [
      get("/api/users/99999999999999999999/", host, adminKey),
      get("/graphql?query=%7B", host, "Accept: application/json"),
      [`POST /graphql HTTP/1.1`, `Host: ${host}`, "Content-Type: application/json", "Content-Length: 9", "", "{not json"],
      get("/%zz", host),
      get("/healthz", "[zz"),
    ];
    for (const lines of probes) {
      const response = await rawRequest(origin, lines);
      assert.ok(response.status > 0 && response.status < 500, `${lines[0]}: ${response.status}`);
      assert.doesNotMatch(response.body, /\n\s+at |\.ts:\d+|node_modules/, lines[0]);
    }
  });

  test("a Content-Length over MAX_BODY_BYTES is a 413 at once, on both APIs, before the body is sent", async () => {
    for (const path of ["/graphql", "/api/users/2/"]) {
      // The head only: an answer that came after reading the body would never come.
      const response = await post(origin, path, { authorization: `Token ${DEMO_ADMIN_KEY}`, "content-length": String(MAX_BODY_BYTES + 1) }, (request) =>
        request.flushHeaders(),
      );
      assert.equal(response.status, 413, path);
      assert.equal(response.headers.connection, "close");
      assert.equal(response.headers["content-type"], "application/json");
      assert.equal(response.body, JSON.stringify(tooLargeDetail));
    }
  });

  test("a body of exactly MAX_BODY_BYTES is served, with a Content-Length or in chunks", async () => {
    const body = graphqlBodyOfSize(MAX_BODY_BYTES);
    const headers = { authorization: `Token ${DEMO_ADMIN_KEY}` };
    const declared = await post(origin, "/graphql", { ...headers, "content-length": String(MAX_BODY_BYTES) }, (request) => request.end(body));
    // In three chunks, so that the body is put together again from pieces.
    const chunked = await post(origin, "/graphql", headers, (request) => {
      request.write(body.slice(0, 10));
      request.write(body.slice(10, 2000));
      request.end(body.slice(2000));
    });
    for (const response of [declared, chunked]) {
      assert.equal(response.status, 200);
      assert.deepEqual(JSON.parse(response.body), { data: { me: { username: "admin" } } });
    }
  });

  test("a chunked body is a 413 as soon as it passes MAX_BODY_BYTES, before it ends", async () => {
    for (const path of ["/graphql", "/api/users/2/"]) {
      // One byte over the limit, and the body is never ended: only a count made as it arrives can answer.
      const response = await post(origin, path, { authorization: `Token ${DEMO_ADMIN_KEY}` }, (request) => {
        request.write(graphqlBodyOfSize(MAX_BODY_BYTES));
        request.write(" ");
      });
      assert.equal(response.status, 413, path);
      assert.equal(response.headers.connection, "close");
      assert.equal(response.body, JSON.stringify(tooLargeDetail));
    }
  });

  test("Expect: 100-continue with a body over MAX_BODY_BYTES gets the 413 instead of an invitation to send it", async () => {
    const head = ["POST /graphql HTTP/1.1", `Host: ${host}`, "Content-Type: application/json", `Content-Length: ${MAX_BODY_BYTES + 1}`, "Expect: 100-continue"];
    const response = await rawRequest(origin, head);
    assert.equal(response.status, 413);
    assert.doesNotMatch(response.head, /100 Continue/);
    assert.deepEqual(JSON.parse(response.body), tooLargeDetail);
  });

  test("a client that stops sending its headers is cut off at HTTP_HEADERS_TIMEOUT_MS", async () => {
    const { hostname, port } = new URL(origin);
    const started = Date.now();
    const closed = await new Promise<{ received: string; afterMs: number }>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\n`));
      let received = "";
      socket.setEncoding("utf8");
      socket.on("data", (chunk: string) => (received += chunk));
      socket.on("error", reject);
      socket.on("close", () => resolve({ received, afterMs: Date.now() - started }));
    });
    // Node answers 408 and closes; once, in a full CI run on Node 24, the
    // socket was closed with no answer instead (after 10.3 s): either way the
    // client is cut off. Node's own default would hold it for a minute.
    assert.match(closed.received, /^$|^HTTP\/1\.1 408/);
    assert.ok(closed.afterMs < 30_000, `closed after ${closed.afterMs} ms`);
  });
});

describe("a client that leaves in the middle of its body, over a real socket", () => {
  let service: ServiceProcess;
  before(async () => {
    service = startService({ DATABASE_URL: await createEmptyDatabaseUrl(), DEMO_DATA: "true", LOG_LEVEL: "debug" });
  });
  after(() => service?.child.kill("SIGTERM"));

  // src/http/graphql-json-post.ts reads a Node request's body without racing
  // it with the request's signal: it must end by itself, as 499s, and never
  // hang or fail as an error.
  test("each reading of a GraphQL body ends as a 499 with nothing logged above debug; the service goes on", async () => {
    const origin = await service.origin;
    const { hostname, port } = new URL(origin);
    const body = JSON.stringify({ query: "{ me { username } }" });
    const abandoned = 12;
    for (let client = 0; client < abandoned; client++) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          const head = ["POST /graphql HTTP/1.1", `Host: ${hostname}`, "Content-Type: application/json", `Content-Length: ${body.length}`, "", ""];
          // From none of the body to all of it but its last byte, then gone after a pause.
          socket.write(head.join("\r\n") + body.slice(0, Math.floor(((body.length - 1) * client) / (abandoned - 1))));
          setTimeout(() => socket.destroy(), client % 3 === 0 ? 0 : 5 * client);
        });
        socket.on("error", reject);
        socket.on("close", () => resolve());
      });
    }
    const abandonedLines = () => logRecords(service.output()).filter((record) => record.msg === "Request abandoned by the client");
    for (let waited = 0; abandonedLines().length < abandoned && waited < 5_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(abandonedLines().length, abandoned);
    assert.ok(abandonedLines().every((record) => record.path === "/graphql" && record.method === "POST"));

    const answer = await fetch(`${origin}/graphql`, { method: "POST", headers: { "content-type": "application/json", authorization: `Token ${DEMO_ADMIN_KEY}` }, body });
    assert.equal(answer.status, 200);
    assert.deepEqual(await answer.json(), { data: { me: { username: "admin" } } });
    // From the first abandoned request on: PostgreSQL's start warns of the public demo key and of ALLOWED_HOSTS before it.
    const records = logRecords(service.output());
    const sinceFirstRequest = records.slice(records.findIndex((record) => record.msg === "Request abandoned by the client"));
    assert.deepEqual(sinceFirstRequest.filter((record) => !["debug", "info"].includes(record.level)), []);
  });
});
