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
    warnings
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
      role
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
      lastUsedIp
      lastUsedRoute
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
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          createdAt
          action
          actor
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
        role
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

// ---------- counting, kept apart so the list never waits for a count ----------

export const ApiKeyCountQuery = graphql(`
  query ApiKeyCount($where: ApiKeyWhereInput) {
    apiKeys(where: $where) {
      totalCount
    }
  }
`);

// ---------- section 9: settings and the security log ----------

export const AccountSettingsFieldsFragment = graphql(`
  fragment AccountSettingsFields on AccountSettings {
    maxKeyLifetimeDays
    unusedKeyDays
    deactivateUnusedKeys
    leakedKeyAction
    notifyOnKeyChanges
  }
`);

export const AccountSettingsQuery = graphql(`
  query AccountSettings {
    accountSettings {
      ...AccountSettingsFields
    }
  }
`);

export const UpdateAccountSettingsMutation = graphql(`
  mutation UpdateAccountSettings($input: UpdateAccountSettingsInput!) {
    updateAccountSettings(input: $input) {
      ...AccountSettingsFields
    }
  }
`);

export const SecurityLogQuery = graphql(`
  query SecurityLog($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: AuditEventWhereInput) {
    auditEvents(
      first: $first
      after: $after
      last: $last
      before: $before
      where: $where
      orderBy: { field: CREATED_AT, direction: DESC }
    ) {
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
      edges {
        cursor
        node {
          id
          createdAt
          action
          actor
          actorEmail
          apiKeyID
          apiKeyName
          clientIP
          detail
        }
      }
    }
  }
`);

// ---------- section 10: team and access tokens ----------

export const AdminsQuery = graphql(`
  query Admins {
    admins {
      id
      email
      role
      invitePending
      inviteExpiresAt
      createdAt
    }
  }
`);

export const InviteAdminMutation = graphql(`
  mutation InviteAdmin($input: InviteAdminInput!) {
    inviteAdmin(input: $input) {
      admin {
        id
        email
        role
        invitePending
        inviteExpiresAt
        createdAt
      }
    }
  }
`);

export const UpdateAdminRoleMutation = graphql(`
  mutation UpdateAdminRole($id: ID!, $role: AdminRole!) {
    updateAdminRole(id: $id, role: $role) {
      id
      email
      role
      invitePending
      inviteExpiresAt
      createdAt
    }
  }
`);

export const RemoveAdminMutation = graphql(`
  mutation RemoveAdmin($id: ID!) {
    removeAdmin(id: $id) {
      removedId
    }
  }
`);

export const AcceptInviteMutation = graphql(`
  mutation AcceptInvite($input: AcceptInviteInput!) {
    acceptInvite(input: $input) {
      admin {
        id
        email
        role
        account {
          id
          name
        }
      }
    }
  }
`);

export const AccessTokenFieldsFragment = graphql(`
  fragment AccessTokenFields on AccessToken {
    id
    name
    maskedToken
    scopes
    createdAt
    expiresAt
    lastUsedAt
    admin {
      id
      email
    }
  }
`);

export const AccessTokensQuery = graphql(`
  query AccessTokens {
    accessTokens {
      ...AccessTokenFields
    }
  }
`);

export const CreateAccessTokenMutation = graphql(`
  mutation CreateAccessToken($input: CreateAccessTokenInput!) {
    createAccessToken(input: $input) {
      secret
      accessToken {
        id
        name
      }
    }
  }
`);

export const RevokeAccessTokenMutation = graphql(`
  mutation RevokeAccessToken($id: ID!) {
    revokeAccessToken(id: $id) {
      revokedId
    }
  }
`);
