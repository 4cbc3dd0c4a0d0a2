import type { UserSummary } from "../users/user-view.ts";
import { builder } from "./builder.ts";

/** How a nested user (an inviter, an invitee) is shown: never more than its name. */
export const UserSummaryRef = builder.objectRef<UserSummary>("UserSummary").implement({
  description: "A user as another user's inviter or invitee: its id, username and full name only.",
  fields: (t) => ({
    id: t.exposeID("id"),
    username: t.exposeString("username"),
    fullName: t.exposeString("fullName", { nullable: true }),
  }),
});

/** A page of user summaries (a user's invitees), with how many there are in all. */
export const UserSummaryConnection = builder.connectionObject<typeof UserSummaryRef, { countTotal: () => Promise<number> }>(
  {
    type: UserSummaryRef,
    name: "UserSummaryConnection",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many there are in all, on every page.",
        resolve: (connection) => connection.countTotal(),
      }),
    }),
  },
  { name: "UserSummaryEdge" },
);
