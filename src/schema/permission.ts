import { builder } from "./builder.ts";

export const PermissionRef = builder.prismaObject("Permission", {
  fields: (t) => ({
    id: t.exposeID("id"),
    code: t.exposeInt("code"),
    name: t.exposeString("name"),
  }),
});
