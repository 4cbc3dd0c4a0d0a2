// Files of the project that the service reads at run time: the migrations,
// the Prisma CLI wrapper, the demo fixture. This module is one folder below
// the project's root both as source (src/) and bundled into what `npm start`
// runs (dist/, scripts/start.mjs), so the root is its parent folder either way.
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** A path under the project's root, from its segments. */
export const projectPath = (...segments: string[]) => join(PROJECT_ROOT, ...segments);
