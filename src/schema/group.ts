import { builder } from "./builder.ts";

export const GroupRef = builder.prismaObject("Group", {
  fields: (t) => ({
    id: t.exposeID("id"),
    name: t.exposeString("name"),
  }),
});
