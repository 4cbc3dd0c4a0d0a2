-- Every statement that writes the directory's tables sends a notification on
-- the channel users_gateway_changes when its transaction commits (none if it
-- rolls back; PostgreSQL sends one for many identical ones in a transaction).
-- The service listens, and keeps token requesters between requests only while
-- none came (src/db/change-notifications.ts, src/auth/requester-cache.ts).
-- Prisma's schema does not describe functions or triggers: they are written
-- here by hand, and `prisma migrate diff` leaves them be.
CREATE FUNCTION "users_gateway_notify_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('users_gateway_changes', '');
  RETURN NULL;
END
$$;

CREATE TRIGGER "Permission_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Permission" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "Group_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Group" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "User_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "User" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "ApiToken_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApiToken" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "_PermissionToUser_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "_PermissionToUser" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "_GroupToPermission_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "_GroupToPermission" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
CREATE TRIGGER "_GroupToUser_changes" AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "_GroupToUser" FOR EACH STATEMENT EXECUTE FUNCTION "users_gateway_notify_change"();
