import type { UserSummary } from "../users/user-view.ts";
import { builder } from "./builder.ts";

/** How a nested user (an inviter, an invitee) is shown: never more than its name. */
export const UserSummaryRef = builder.objectRef<UserSummary>("UserSummary").implement({
  description: "A user as another user's inviter or invitee: its id, username and full name only.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The user's id." }),
    username: t.exposeString("username", { description: "Its unique username." }),
    fullName: t.exposeString("fullName", { nullable: true, description: "First and last name joined by a space; null when both are empty." }),
  }),
});

/** A page of user summaries (a user's invitees), with how many there are in all. */
export const UserSummaryConnection = builder.connectionObject<typeof UserSummaryRef, { countTotal: () => Promise<number> }>(
  {
    type: UserSummaryRef,
    name: "UserSummaryConnection",
    description: "A page of users shown as summaries (a user's invitees), by id.",
    fields: (t) => ({
      totalCount: t.int({
        description: "How many there are in all, on every page.",
        resolve: (connection) => connection.countTotal(),
      }),
    }),
  },
  { name: "UserSummaryEdge", description: "One user of a page, with the cursor to read on after it." },
);
