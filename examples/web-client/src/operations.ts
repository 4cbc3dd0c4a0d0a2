// The page's three operations. GraphQL Code Generator's client preset reads
// them from here (codegen.ts) and writes their types and documents to
// src/gql/, and each one's sha256 hash and text to
// src/gql/persisted-documents.json: the manifest the service runs with
// GRAPHQL_TRUSTED_DOCUMENTS. The page sends the hashes only.
import { graphql } from "./gql/gql.ts";

/** One page of the directory, in username order, with the search applied. */
export const StaffDirectoryQuery = graphql(`
  query StaffDirectory($search: String, $first: Int, $after: String, $last: Int, $before: String) {
    users(
      first: $first
      after: $after
      last: $last
      before: $before
      filter: { search: $search }
      orderBy: { field: USERNAME, direction: ASC }
    ) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        node {
          id
          username
          fullName
          email
          isStaff
          isAdmin
        }
      }
    }
  }
`);

/** One user's details, with the first few of the users they invited. */
export const StaffMemberQuery = graphql(`
  query StaffMember($id: ID!, $inviteesFirst: Int!) {
    user(id: $id) {
      id
      username
      fullName
      email
      isStaff
      isAdmin
      isActive
      groups {
        id
        name
      }
      permissions {
        id
        code
        name
      }
      invitedBy {
        id
        username
        fullName
      }
      inviteesConnection(first: $inviteesFirst) {
        totalCount
        edges {
          node {
            id
            username
            fullName
          }
        }
      }
    }
  }
`);

/** Who the key belongs to: checks the key before the directory is read. */
export const SignedInQuery = graphql(`
  query SignedIn {
    me {
      id
      username
    }
  }
`);
