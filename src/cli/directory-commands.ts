// The CLI's entries for users, groups and permissions (src/cli/directory.ts
// does the work). Field values are checked by the fixture's own rules
// (fieldRules in src/fixtures/parse-fixture.ts), so that the CLI cannot store a
// user that an export would write and an import then refuse.
import { z } from "zod";
import { fieldRules } from "../fixtures/parse-fixture.ts";
import type { CommandSpec, Values } from "./command.ts";
import {
  changeGroup,
  createGroup,
  createPermission,
  createUser,
  deleteGroup,
  deletePermission,
  formatUserDetails,
  formatUserTable,
  listUsers,
  renameGroup,
  renamePermission,
  showUser,
  updateUser,
  type UserFields,
} from "./directory.ts";
import { printMessage, printResult } from "./terminal.ts";
import { UsageError } from "./tokens.ts";

/** A permission's code on the command line: a whole number, as the fixture's. */
function permissionCode(text: string, where: string): number {
  if (!/^-?\d{1,10}$/.test(text) || !Number.isSafeInteger(Number(text)) || Math.abs(Number(text)) > 2 ** 31 - 1) {
    throw new UsageError(`${where}: expected a permission code (a whole number), got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

const list = (values: Values, option: string) => (values[option] as string[] | undefined) ?? [];
const codes = (values: Values, option: string) => list(values, option).map((text) => permissionCode(text, `--${option}`));

/** Checks one value by the fixture's rule for `field`, naming the option in the message. */
function checked<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const message = issue.code === "invalid_enum_value" ? `expected one of ${issue.options.join(", ")}` : issue.message;
  throw new UsageError(`--${option}: ${message}, got ${JSON.stringify(value)}`);
}

const TEXT_OPTIONS = {
  email: "email",
  "mobile-number": "mobile_number",
  "first-name": "first_name",
  "last-name": "last_name",
} as const;

/** The user fields the options set, checked; an option given as "" stores null (Django's blank). */
function userFieldsOf(values: Values): UserFields {
  const fields: UserFields = {};
  const text = (option: keyof typeof TEXT_OPTIONS) => {
    const value = values[option] as string | undefined;
    if (value === undefined) return undefined;
    return value === "" ? null : checked(fieldRules[TEXT_OPTIONS[option]], value, option);
  };
  fields.email = text("email");
  fields.mobileNumber = text("mobile-number");
  fields.firstName = text("first-name");
  fields.lastName = text("last-name");
  if (values.gender !== undefined) fields.gender = checked(fieldRules.gender, values.gender, "gender");
  if (values.staff !== undefined) fields.isStaff = values.staff === true;
  if (values.admin !== undefined) fields.isAdmin = values.admin === true;
  if (values.active !== undefined) fields.isActive = values.active === true;
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as UserFields;
}

const username = (text: string, where = "username") => checked(fieldRules.username, text, where);

const USER_OPTIONS = {
  email: { type: "string" },
  "mobile-number": { type: "string" },
  "first-name": { type: "string" },
  "last-name": { type: "string" },
  gender: { type: "string" },
  staff: { type: "boolean" },
  admin: { type: "boolean" },
  active: { type: "boolean" },
} as const;

const USER_OPTIONS_HELP = [
  "  --email E, --mobile-number M, --first-name F, --last-name L   \"\" clears one",
  "  --gender male|female|other",
  "  --staff / --no-staff, --admin / --no-admin, --active / --no-active",
];

const json = { json: { type: "boolean" } } as const;

export const DIRECTORY_COMMANDS: Record<string, CommandSpec> = {
  "user create": {
    synopsis: "<username> --gender male|female|other [options]",
    summary: "add a user, with its groups and direct permissions",
    help: [...USER_OPTIONS_HELP, "  --group NAME       a group it joins (repeat for more)", "  --permission CODE  a permission it holds directly (repeat for more)"],
    options: { ...USER_OPTIONS, group: { type: "string", multiple: true }, permission: { type: "string", multiple: true } },
    arguments: 1,
    async run({ args: [name], values, database }) {
      const fields = userFieldsOf(values);
      if (fields.gender === undefined) throw new UsageError("user create: --gender is required (male, female or other)");
      const id = await createUser(await database(), username(name!), {
        ...fields,
        gender: fields.gender,
        groups: list(values, "group"),
        permissions: codes(values, "permission"),
      });
      printMessage(`User ${name} created.`);
      printResult(String(id));
    },
  },
  "user update": {
    synopsis: "<username> [options]",
    summary: "change a user's fields, groups and direct permissions",
    help: [
      ...USER_OPTIONS_HELP,
      "  --username NEW                          rename it",
      "  --add-group NAME, --remove-group NAME   (repeat for more)",
      "  --add-permission CODE, --remove-permission CODE",
      "A deactivated user's keys are refused from its next request on.",
    ],
    options: {
      ...USER_OPTIONS,
      username: { type: "string" },
      "add-group": { type: "string", multiple: true },
      "remove-group": { type: "string", multiple: true },
      "add-permission": { type: "string", multiple: true },
      "remove-permission": { type: "string", multiple: true },
    },
    arguments: 1,
    async run({ args: [name], values, database }) {
      const changes = {
        ...userFieldsOf(values),
        ...(values.username === undefined ? {} : { username: username(values.username as string, "--username") }),
        addGroups: list(values, "add-group"),
        removeGroups: list(values, "remove-group"),
        addPermissions: codes(values, "add-permission"),
        removePermissions: codes(values, "remove-permission"),
      };
      await updateUser(await database(), name!, changes);
      printMessage(`User ${name} updated.`);
    },
  },
  "user show": {
    synopsis: "<username> [--json]",
    summary: "a user's fields, groups, direct and effective permissions",
    help: ["  --json   print it as JSON, for scripts"],
    options: json,
    arguments: 1,
    async run({ args: [name], values, database }) {
      const user = await showUser(await database(), name!);
      printResult(...(values.json === true ? [JSON.stringify(user)] : formatUserDetails(user)));
    },
  },
  "user list": {
    synopsis: "[--staff|--no-staff] [--admin|--no-admin] [--active|--no-active] [--group NAME] [--json]",
    summary: "users by id, filtered",
    help: ["  --json   print a JSON list, for scripts (each user as user show --json prints it)"],
    options: { staff: { type: "boolean" }, admin: { type: "boolean" }, active: { type: "boolean" }, group: { type: "string" }, ...json },
    arguments: 0,
    async run({ values, database }) {
      const users = await listUsers(await database(), {
        ...(values.staff === undefined ? {} : { isStaff: values.staff === true }),
        ...(values.admin === undefined ? {} : { isAdmin: values.admin === true }),
        ...(values.active === undefined ? {} : { isActive: values.active === true }),
        ...(values.group === undefined ? {} : { group: values.group as string }),
      });
      printResult(...(values.json === true ? [JSON.stringify(users)] : formatUserTable(users)));
    },
  },
  "group create": {
    synopsis: "<name> [--permission CODE]…",
    summary: "add a group, with the permissions it grants",
    help: ["  --permission CODE   a permission its members get (repeat for more)"],
    options: { permission: { type: "string", multiple: true } },
    arguments: 1,
    async run({ args: [name], values, database }) {
      await createGroup(await database(), checked(fieldRules.groupName, name, "name"), codes(values, "permission"));
      printMessage(`Group ${name} created.`);
    },
  },
  "group rename": {
    synopsis: "<name> <new-name>",
    summary: "rename a group",
    help: [],
    options: {},
    arguments: 2,
    async run({ args: [name, newName], database }) {
      await renameGroup(await database(), name!, checked(fieldRules.groupName, newName, "new-name"));
      printMessage(`Group ${name} renamed ${newName}.`);
    },
  },
  "group delete": {
    synopsis: "<name>",
    summary: "delete a group: its members stay, without it",
    help: [],
    options: {},
    arguments: 1,
    async run({ args: [name], database }) {
      const members = await deleteGroup(await database(), name!);
      printMessage(`Group ${name} deleted; its ${members} member${members === 1 ? "" : "s"} no longer get its permissions.`);
    },
  },
  "group members": {
    synopsis: "<name> [--add USERNAME]… [--remove USERNAME]…",
    summary: "add or remove members of a group",
    help: ["  --add USERNAME, --remove USERNAME   (repeat for more; all or none happen)"],
    options: { add: { type: "string", multiple: true }, remove: { type: "string", multiple: true } },
    arguments: 1,
    async run({ args: [name], values, database }) {
      await changeGroup(await database(), name!, { addMembers: list(values, "add"), removeMembers: list(values, "remove") });
      printMessage(`Group ${name}: members changed.`);
    },
  },
  "group permissions": {
    synopsis: "<name> [--grant CODE]… [--revoke CODE]…",
    summary: "change the permissions a group grants",
    help: ["  --grant CODE, --revoke CODE   (repeat for more; all or none happen)"],
    options: { grant: { type: "string", multiple: true }, revoke: { type: "string", multiple: true } },
    arguments: 1,
    async run({ args: [name], values, database }) {
      await changeGroup(await database(), name!, { grant: codes(values, "grant"), revoke: codes(values, "revoke") });
      printMessage(`Group ${name}: permissions changed.`);
    },
  },
  "permission create": {
    synopsis: "<code> <name>",
    summary: "add a permission (1222 is UserPermission: staff need it to read users)",
    help: [],
    options: {},
    arguments: 2,
    async run({ args: [code, name], database }) {
      await createPermission(await database(), permissionCode(code!, "code"), checked(fieldRules.permissionName, name, "name"));
      printMessage(`Permission ${code} created.`);
    },
  },
  "permission rename": {
    synopsis: "<code> <new-name>",
    summary: "rename a permission",
    help: [],
    options: {},
    arguments: 2,
    async run({ args: [code, name], database }) {
      await renamePermission(await database(), permissionCode(code!, "code"), checked(fieldRules.permissionName, name, "new-name"));
      printMessage(`Permission ${code} renamed.`);
    },
  },
  "permission delete": {
    synopsis: "<code>",
    summary: "delete a permission: no one holds it afterwards, directly or through a group",
    help: [],
    options: {},
    arguments: 1,
    async run({ args: [code], database }) {
      const holders = await deletePermission(await database(), permissionCode(code!, "code"));
      printMessage(`Permission ${code} deleted; ${holders} user${holders === 1 ? "" : "s"} held it directly.`);
    },
  },
};
