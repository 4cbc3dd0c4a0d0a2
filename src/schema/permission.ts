import { builder } from "./builder.ts";

export const PermissionRef = builder.prismaObject("Permission", {
  description: "A permission, held by a user directly or through a group (REST: an item of permissions_data).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The permission's id, as Django stored it." }),
    code: t.exposeInt("code", { description: "Its unique number; 1222 is UserPermission, which lets staff read users." }),
    name: t.exposeString("name", { description: "Its unique name." }),
  }),
});
