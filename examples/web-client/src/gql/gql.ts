/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query StaffDirectory($search: String, $first: Int, $after: String, $last: Int, $before: String) {\n    users(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: { search: $search }\n      orderBy: { field: USERNAME, direction: ASC }\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          id\n          username\n          fullName\n          email\n          isStaff\n          isAdmin\n        }\n      }\n    }\n  }\n": typeof types.StaffDirectoryDocument,
    "\n  query StaffMember($id: ID!, $inviteesFirst: Int!) {\n    user(id: $id) {\n      id\n      username\n      fullName\n      email\n      isStaff\n      isAdmin\n      isActive\n      groups {\n        id\n        name\n      }\n      permissions {\n        id\n        code\n        name\n      }\n      invitedBy {\n        id\n        username\n        fullName\n      }\n      inviteesConnection(first: $inviteesFirst) {\n        totalCount\n        edges {\n          node {\n            id\n            username\n            fullName\n          }\n        }\n      }\n    }\n  }\n": typeof types.StaffMemberDocument,
    "\n  query SignedIn {\n    me {\n      id\n      username\n    }\n  }\n": typeof types.SignedInDocument,
};
const documents: Documents = {
    "\n  query StaffDirectory($search: String, $first: Int, $after: String, $last: Int, $before: String) {\n    users(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: { search: $search }\n      orderBy: { field: USERNAME, direction: ASC }\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          id\n          username\n          fullName\n          email\n          isStaff\n          isAdmin\n        }\n      }\n    }\n  }\n": types.StaffDirectoryDocument,
    "\n  query StaffMember($id: ID!, $inviteesFirst: Int!) {\n    user(id: $id) {\n      id\n      username\n      fullName\n      email\n      isStaff\n      isAdmin\n      isActive\n      groups {\n        id\n        name\n      }\n      permissions {\n        id\n        code\n        name\n      }\n      invitedBy {\n        id\n        username\n        fullName\n      }\n      inviteesConnection(first: $inviteesFirst) {\n        totalCount\n        edges {\n          node {\n            id\n            username\n            fullName\n          }\n        }\n      }\n    }\n  }\n": types.StaffMemberDocument,
    "\n  query SignedIn {\n    me {\n      id\n      username\n    }\n  }\n": types.SignedInDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffDirectory($search: String, $first: Int, $after: String, $last: Int, $before: String) {\n    users(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: { search: $search }\n      orderBy: { field: USERNAME, direction: ASC }\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          id\n          username\n          fullName\n          email\n          isStaff\n          isAdmin\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffDirectory($search: String, $first: Int, $after: String, $last: Int, $before: String) {\n    users(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      filter: { search: $search }\n      orderBy: { field: USERNAME, direction: ASC }\n    ) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        node {\n          id\n          username\n          fullName\n          email\n          isStaff\n          isAdmin\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query StaffMember($id: ID!, $inviteesFirst: Int!) {\n    user(id: $id) {\n      id\n      username\n      fullName\n      email\n      isStaff\n      isAdmin\n      isActive\n      groups {\n        id\n        name\n      }\n      permissions {\n        id\n        code\n        name\n      }\n      invitedBy {\n        id\n        username\n        fullName\n      }\n      inviteesConnection(first: $inviteesFirst) {\n        totalCount\n        edges {\n          node {\n            id\n            username\n            fullName\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query StaffMember($id: ID!, $inviteesFirst: Int!) {\n    user(id: $id) {\n      id\n      username\n      fullName\n      email\n      isStaff\n      isAdmin\n      isActive\n      groups {\n        id\n        name\n      }\n      permissions {\n        id\n        code\n        name\n      }\n      invitedBy {\n        id\n        username\n        fullName\n      }\n      inviteesConnection(first: $inviteesFirst) {\n        totalCount\n        edges {\n          node {\n            id\n            username\n            fullName\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SignedIn {\n    me {\n      id\n      username\n    }\n  }\n"): (typeof documents)["\n  query SignedIn {\n    me {\n      id\n      username\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;