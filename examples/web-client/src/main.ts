// The staff directory page: a key, a search, pages of users and one user's
// details, read from users-gateway with urql. Every operation is one of
// src/operations.ts, sent as its hash only (a trusted document): the page
// never sends GraphQL text, so it runs against a service started with
// GRAPHQL_TRUSTED_DOCUMENTS=src/gql/persisted-documents.json as well as
// against one that runs any document.
//
// Plain DOM, no framework: the page is small, and text goes in with
// textContent only, so nothing the API returns is ever read as HTML.
import { Client, fetchExchange, type AnyVariables, type CombinedError, type TypedDocumentNode } from "@urql/core";
import { persistedExchange } from "@urql/exchange-persisted";
import type { StaffDirectoryQuery, StaffDirectoryQueryVariables, StaffMemberQuery } from "./gql/graphql.ts";
import { SignedInQuery, StaffDirectoryQuery as StaffDirectory, StaffMemberQuery as StaffMember } from "./operations.ts";

/** Users per page, and invitees shown in the details. */
const PAGE_SIZE = 5;
const INVITEES_SHOWN = 5;
/** Typing waits this long for the next key before it asks the API. */
const SEARCH_DELAY_MS = 250;

const element = <T extends HTMLElement>(id: string) => {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
};

const ui = {
  keyForm: element<HTMLFormElement>("key-form"),
  apiUrl: element<HTMLInputElement>("api-url"),
  apiKey: element<HTMLInputElement>("api-key"),
  signedIn: element<HTMLParagraphElement>("signed-in"),
  error: element<HTMLParagraphElement>("error"),
  directory: element<HTMLElement>("directory"),
  search: element<HTMLInputElement>("search"),
  total: element<HTMLParagraphElement>("total"),
  rows: element<HTMLTableSectionElement>("user-rows"),
  previous: element<HTMLButtonElement>("previous-page"),
  next: element<HTMLButtonElement>("next-page"),
  pageNumber: element<HTMLSpanElement>("page-number"),
  details: element<HTMLElement>("details"),
};

// The service's address: ?api= on the page's URL, else a local service.
ui.apiUrl.value = new URLSearchParams(location.search).get("api") ?? "http://localhost:4000";

/**
 * The client for one key. The hash each document carries (`__meta__.hash`,
 * written by the client preset) is sent instead of the document;
 * enforcePersistedQueries keeps urql from ever retrying with the text.
 * No cache exchange: every view shows what the API answers now.
 */
function createClient(apiUrl: string, key: string): Client {
  return new Client({
    url: `${apiUrl.replace(/\/+$/, "")}/graphql`,
    exchanges: [
      persistedExchange({
        enforcePersistedQueries: true,
        generateHash: async (_text, document) => (document as { __meta__?: { hash?: string } }).__meta__?.hash ?? "",
      }),
      fetchExchange,
    ],
    fetchOptions: () => ({ headers: { Authorization: `Token ${key}` } }),
    requestPolicy: "network-only",
  });
}

let client: Client | null = null;

/** An error as the API names it: `CODE: message` for each GraphQL error, or the network failure. */
function describeError(error: CombinedError): string {
  if (error.graphQLErrors.length > 0) {
    return error.graphQLErrors.map((graphQLError) => `${graphQLError.extensions.code ?? "ERROR"}: ${graphQLError.message}`).join("\n");
  }
  return `Network error: ${error.networkError?.message ?? error.message}`;
}

function showError(message: string | null) {
  ui.error.textContent = message ?? "";
  ui.error.hidden = message === null;
}

/** Runs one operation; its data, or null once its error is on the page. */
async function run<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data | null> {
  if (!client) return null;
  const result = await client.query(document, variables).toPromise();
  if (result.error) {
    showError(describeError(result.error));
    return null;
  }
  showError(null);
  return result.data ?? null;
}

// The page being shown: its cursors, to read on from it, and its number.
type Page = StaffDirectoryQuery["users"];
let shown: { page: Page; number: number } | null = null;
// Each request's number: an answer that is no longer the latest (a slow
// page while the search changed) is dropped instead of shown.
let latestRequest = 0;

async function showPage(variables: StaffDirectoryQueryVariables, number: number) {
  const request = ++latestRequest;
  const data = await run(StaffDirectory, { ...variables, search: ui.search.value.trim() || null });
  if (request !== latestRequest || !data) return;
  shown = { page: data.users, number };
  renderPage(data.users, number);
}

function renderPage(page: Page, number: number) {
  ui.total.textContent = `${page.totalCount} ${page.totalCount === 1 ? "user" : "users"}`;
  ui.rows.replaceChildren(
    ...page.edges.map(({ node }) => {
      const row = document.createElement("tr");
      row.dataset.userId = node.id;
      const open = document.createElement("button");
      open.type = "button";
      open.className = "link";
      open.textContent = node.username;
      open.addEventListener("click", () => void showDetails(node.id));
      const role = [node.isStaff ? "staff" : null, node.isAdmin ? "admin" : null].filter(Boolean).join(", ");
      row.append(cell(open), cell(node.fullName ?? ""), cell(node.email ?? ""), cell(role));
      return row;
    }),
  );
  ui.pageNumber.textContent = page.edges.length === 0 ? "No user matches" : `Page ${number}`;
  ui.previous.disabled = !page.pageInfo.hasPreviousPage;
  ui.next.disabled = !page.pageInfo.hasNextPage;
  ui.directory.hidden = false;
}

function cell(content: string | Node): HTMLTableCellElement {
  const td = document.createElement("td");
  td.append(content);
  return td;
}

type Member = NonNullable<StaffMemberQuery["user"]>;

async function showDetails(id: string) {
  const data = await run(StaffMember, { id, inviteesFirst: INVITEES_SHOWN });
  if (!data) return;
  const heading = document.createElement("h2");
  if (!data.user) {
    heading.textContent = `User ${id} cannot be read`;
    ui.details.replaceChildren(heading);
  } else {
    heading.textContent = data.user.username;
    ui.details.replaceChildren(heading, detailsList(data.user));
  }
  ui.details.dataset.userId = id;
  ui.details.hidden = false;
}

function detailsList(user: Member): HTMLDListElement {
  const list = document.createElement("dl");
  const add = (name: string, field: string, ...values: string[]) => {
    const term = document.createElement("dt");
    term.textContent = name;
    const description = document.createElement("dd");
    description.dataset.field = field;
    if (values.length === 0) description.textContent = "none";
    else description.append(...values.map((value) => Object.assign(document.createElement("span"), { textContent: value, className: "item" })));
    list.append(term, description);
  };
  const summary = (other: { username: string; fullName?: string | null }) => (other.fullName ? `${other.username} (${other.fullName})` : other.username);
  add("Full name", "fullName", ...(user.fullName ? [user.fullName] : []));
  add("Email", "email", ...(user.email ? [user.email] : []));
  add("Role", "role", ...[user.isStaff ? "staff" : null, user.isAdmin ? "admin" : null, user.isActive ? null : "inactive"].filter((role) => role !== null));
  add("Groups", "groups", ...user.groups.map((group) => group.name));
  add("Permissions", "permissions", ...user.permissions.map((permission) => `${permission.code} ${permission.name}`));
  add("Invited by", "invitedBy", ...(user.invitedBy ? [summary(user.invitedBy)] : []));
  const invitees = user.inviteesConnection;
  add(
    `Invitees (${invitees.totalCount})`,
    "invitees",
    ...invitees.edges.map(({ node }) => summary(node)),
    ...(invitees.totalCount > invitees.edges.length ? [`and ${invitees.totalCount - invitees.edges.length} more`] : []),
  );
  return list;
}

ui.keyForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  client = createClient(ui.apiUrl.value, ui.apiKey.value.trim());
  ui.directory.hidden = true;
  ui.details.hidden = true;
  ui.signedIn.textContent = "";
  // The key is checked first: a bad one shows UNAUTHENTICATED and no directory.
  const data = await run(SignedInQuery, {});
  if (!data?.me) return;
  ui.signedIn.textContent = `Signed in as ${data.me.username}`;
  await showPage({ first: PAGE_SIZE }, 1);
});

let searchTimer: ReturnType<typeof setTimeout> | undefined;
ui.search.addEventListener("input", () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void showPage({ first: PAGE_SIZE }, 1), SEARCH_DELAY_MS);
});

ui.next.addEventListener("click", () => {
  if (shown?.page.pageInfo.endCursor) void showPage({ first: PAGE_SIZE, after: shown.page.pageInfo.endCursor }, shown.number + 1);
});
ui.previous.addEventListener("click", () => {
  if (shown?.page.pageInfo.startCursor) void showPage({ last: PAGE_SIZE, before: shown.page.pageInfo.startCursor }, shown.number - 1);
});
