import { graphql } from '../gql';

// Every GraphQL operation the SPA sends. `npm run generate` types them from
// ../graph/*.graphqls into src/gql/.

export const ApiKeyFieldsFragment = graphql(`
  fragment ApiKeyFields on ApiKey {
    id
    name
    maskedKey
    status
    createdAt
    lastUsedAt
    expiresAt
    ipAllowlist
    rateLimit
    permissions {
      id
      key
      name
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      account {
        id
        name
      }
    }
  }
`);

export const PermissionsQuery = graphql(`
  query Permissions {
    permissions {
      id
      key
      scope
      name
      description
    }
  }
`);

export const ApiKeysQuery = graphql(`
  query ApiKeys(
    $first: Int
    $after: Cursor
    $last: Int
    $before: Cursor
    $orderBy: ApiKeyOrder
    $where: ApiKeyWhereInput
  ) {
    apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {
      totalCount
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          ...ApiKeyFields
        }
      }
    }
  }
`);

export const ApiKeyQuery = graphql(`
  query ApiKey($id: ID!) {
    apiKey(id: $id) {
      ...ApiKeyFields
      previousSecretValidUntil
      createdBy {
        id
        email
      }
    }
  }
`);

export const ApiKeyUsageQuery = graphql(`
  query ApiKeyUsage($id: ID!, $days: Int!) {
    apiKeyUsage(id: $id, days: $days) {
      day
      count
    }
  }
`);

export const AuditEventsQuery = graphql(`
  query AuditEvents($apiKeyID: ID!, $first: Int!, $after: Cursor) {
    auditEvents(
      first: $first
      after: $after
      where: { apiKeyID: $apiKeyID }
      orderBy: { field: CREATED_AT, direction: DESC }
    ) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          createdAt
          action
          actorEmail
          clientIP
          detail
        }
      }
    }
  }
`);

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      admin {
        id
        email
        account {
          id
          name
        }
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout {
      ok
    }
  }
`);

export const CreateApiKeyMutation = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      secret
      apiKey {
        ...ApiKeyFields
      }
    }
  }
`);

export const UpdateApiKeyMutation = graphql(`
  mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {
    updateApiKey(id: $id, input: $input) {
      ...ApiKeyFields
    }
  }
`);

export const SetApiKeyActiveMutation = graphql(`
  mutation SetApiKeyActive($id: ID!, $active: Boolean!) {
    setApiKeyActive(id: $id, active: $active) {
      ...ApiKeyFields
    }
  }
`);

export const RevealApiKeyMutation = graphql(`
  mutation RevealApiKey($id: ID!, $password: String!) {
    revealApiKey(id: $id, password: $password) {
      secret
    }
  }
`);

export const RollApiKeyMutation = graphql(`
  mutation RollApiKey($id: ID!, $oldSecretValidFor: Int!) {
    rollApiKey(id: $id, oldSecretValidFor: $oldSecretValidFor) {
      secret
      apiKey {
        ...ApiKeyFields
        previousSecretValidUntil
      }
    }
  }
`);

export const DeleteApiKeyMutation = graphql(`
  mutation DeleteApiKey($id: ID!) {
    deleteApiKey(id: $id) {
      deletedId
    }
  }
`);
