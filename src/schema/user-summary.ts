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
