// Keeps the floor honest: before anything is measured, the floor and the
// service must answer the same requests with the same status and the same
// bytes (is_online aside: it depends on the moment and on each database's own
// last_seen_at writes). A floor that skipped part of the work would otherwise
// make every share look worse than it is.
import { request } from "node:http";
import type { DatasetManifest } from "./dataset.ts";
import { createRandom } from "./random.ts";

// Both get the same Host, so avatar URLs (made from the request's origin) agree.
const HOST = "bench.test";

function get(origin: string, path: string, authorization: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, origin);
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers: { host: HOST, authorization } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const withoutOnline = (body: string) => body.replace(/,"is_online":(true|false),/, ",");

/** The ids compared: the hubs (largest bodies), random readable ones, and ids that must be 404s. */
function idsToCompare(manifest: DatasetManifest, seed: number): number[] {
  const random = createRandom(seed ^ 0xc4ec);
  const visible = new Set(manifest.visibleIds);
  let hidden = 1;
  while (visible.has(hidden) && hidden <= manifest.users) hidden++;
  return [...manifest.hubIds, ...random.sample(manifest.visibleIds, 40), hidden, manifest.users + 1];
}

/** Returns one line per difference; empty when the floor answers as the service does. */
export async function compareFloorWithService(
  floorOrigin: string,
  serviceOrigin: string,
  manifest: DatasetManifest,
  seed: number,
): Promise<string[]> {
  const differences: string[] = [];
  // An admin, and a staff requester of each kind, so the floor's right check is compared too.
  const requesters = [manifest.adminKey, ...["staff-direct", "staff-group"].flatMap((kind) => {
    const requester = manifest.requesters.find((r) => r.kind === kind);
    return requester ? [requester.key] : [];
  })];
  const ids = idsToCompare(manifest, seed);
  for (const [index, id] of ids.entries()) {
    const authorization = `Token ${requesters[index % requesters.length]}`;
    const path = `/api/users/${id}/`;
    const [floor, service] = await Promise.all([get(floorOrigin, path, authorization), get(serviceOrigin, path, authorization)]);
    if (floor.status !== service.status) {
      differences.push(`${path}: status ${floor.status} from the floor, ${service.status} from the service`);
    } else if (withoutOnline(floor.body) !== withoutOnline(service.body)) {
      differences.push(`${path}: bodies differ\n  floor:   ${floor.body.slice(0, 600)}\n  service: ${service.body.slice(0, 600)}`);
    }
  }
  // A bad key must be refused by both alike.
  const bad = await Promise.all([floorOrigin, serviceOrigin].map((origin) => get(origin, `/api/users/${ids[0]}/`, "Token 0000")));
  if (bad[0]!.status !== bad[1]!.status || bad[0]!.body !== bad[1]!.body) {
    differences.push(`a bad key: ${bad[0]!.status} ${bad[0]!.body} from the floor, ${bad[1]!.status} ${bad[1]!.body} from the service`);
  }
  return differences;
}
