import { builder } from "./builder.ts";
import "./scalars.ts";
import "./group.ts";
import "./permission.ts";
import "./user-summary.ts";
import "./user.ts";

export const schema = builder.toSchema();
