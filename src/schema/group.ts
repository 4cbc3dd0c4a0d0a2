import { builder } from "./builder.ts";

export const GroupRef = builder.prismaObject("Group", {
  description: "A group of users, whose permissions its members hold (REST: an item of groups_data).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The group's id, as Django stored it." }),
    name: t.exposeString("name", { description: "Its unique name." }),
  }),
});
