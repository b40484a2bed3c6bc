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
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    maskedKey\n    status\n    createdAt\n    lastUsedAt\n    expiresAt\n    ipAllowlist\n    rateLimit\n    warnings\n    permissions {\n      id\n      key\n      name\n    }\n  }\n": typeof types.ApiKeyFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      email\n      role\n      account {\n        id\n        name\n      }\n    }\n  }\n": typeof types.MeDocument,
    "\n  query Permissions {\n    permissions {\n      id\n      key\n      scope\n      name\n      description\n    }\n  }\n": typeof types.PermissionsDocument,
    "\n  query ApiKeys(\n    $first: Int\n    $after: Cursor\n    $last: Int\n    $before: Cursor\n    $orderBy: ApiKeyOrder\n    $where: ApiKeyWhereInput\n  ) {\n    apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n    }\n  }\n": typeof types.ApiKeysDocument,
    "\n  query ApiKey($id: ID!) {\n    apiKey(id: $id) {\n      ...ApiKeyFields\n      previousSecretValidUntil\n      lastUsedIp\n      lastUsedRoute\n      createdBy {\n        id\n        email\n      }\n    }\n  }\n": typeof types.ApiKeyDocument,
    "\n  query ApiKeyUsage($id: ID!, $days: Int!) {\n    apiKeyUsage(id: $id, days: $days) {\n      day\n      count\n    }\n  }\n": typeof types.ApiKeyUsageDocument,
    "\n  query AuditEvents($apiKeyID: ID!, $first: Int!, $after: Cursor) {\n    auditEvents(\n      first: $first\n      after: $after\n      where: { apiKeyID: $apiKeyID }\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          createdAt\n          action\n          actor\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n": typeof types.AuditEventsDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation Logout {\n    logout {\n      ok\n    }\n  }\n": typeof types.LogoutDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": typeof types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {\n    updateApiKey(id: $id, input: $input) {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.UpdateApiKeyDocument,
    "\n  mutation SetApiKeyActive($id: ID!, $active: Boolean!) {\n    setApiKeyActive(id: $id, active: $active) {\n      ...ApiKeyFields\n    }\n  }\n": typeof types.SetApiKeyActiveDocument,
    "\n  mutation RevealApiKey($id: ID!, $password: String!) {\n    revealApiKey(id: $id, password: $password) {\n      secret\n    }\n  }\n": typeof types.RevealApiKeyDocument,
    "\n  mutation RollApiKey($id: ID!, $oldSecretValidFor: Int!) {\n    rollApiKey(id: $id, oldSecretValidFor: $oldSecretValidFor) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n        previousSecretValidUntil\n      }\n    }\n  }\n": typeof types.RollApiKeyDocument,
    "\n  mutation DeleteApiKey($id: ID!) {\n    deleteApiKey(id: $id) {\n      deletedId\n    }\n  }\n": typeof types.DeleteApiKeyDocument,
    "\n  query ApiKeyCount($where: ApiKeyWhereInput) {\n    apiKeys(where: $where) {\n      totalCount\n    }\n  }\n": typeof types.ApiKeyCountDocument,
    "\n  fragment AccountSettingsFields on AccountSettings {\n    maxKeyLifetimeDays\n    unusedKeyDays\n    deactivateUnusedKeys\n    leakedKeyAction\n    notifyOnKeyChanges\n  }\n": typeof types.AccountSettingsFieldsFragmentDoc,
    "\n  query AccountSettings {\n    accountSettings {\n      ...AccountSettingsFields\n    }\n  }\n": typeof types.AccountSettingsDocument,
    "\n  mutation UpdateAccountSettings($input: UpdateAccountSettingsInput!) {\n    updateAccountSettings(input: $input) {\n      ...AccountSettingsFields\n    }\n  }\n": typeof types.UpdateAccountSettingsDocument,
    "\n  query SecurityLog($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: AuditEventWhereInput) {\n    auditEvents(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      where: $where\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          actor\n          actorEmail\n          apiKeyID\n          apiKeyName\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n": typeof types.SecurityLogDocument,
    "\n  query Admins {\n    admins {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n": typeof types.AdminsDocument,
    "\n  mutation InviteAdmin($input: InviteAdminInput!) {\n    inviteAdmin(input: $input) {\n      admin {\n        id\n        email\n        role\n        invitePending\n        inviteExpiresAt\n        createdAt\n      }\n    }\n  }\n": typeof types.InviteAdminDocument,
    "\n  mutation UpdateAdminRole($id: ID!, $role: AdminRole!) {\n    updateAdminRole(id: $id, role: $role) {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n": typeof types.UpdateAdminRoleDocument,
    "\n  mutation RemoveAdmin($id: ID!) {\n    removeAdmin(id: $id) {\n      removedId\n    }\n  }\n": typeof types.RemoveAdminDocument,
    "\n  mutation AcceptInvite($input: AcceptInviteInput!) {\n    acceptInvite(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n": typeof types.AcceptInviteDocument,
    "\n  fragment AccessTokenFields on AccessToken {\n    id\n    name\n    maskedToken\n    scopes\n    createdAt\n    expiresAt\n    lastUsedAt\n    admin {\n      id\n      email\n    }\n  }\n": typeof types.AccessTokenFieldsFragmentDoc,
    "\n  query AccessTokens {\n    accessTokens {\n      ...AccessTokenFields\n    }\n  }\n": typeof types.AccessTokensDocument,
    "\n  mutation CreateAccessToken($input: CreateAccessTokenInput!) {\n    createAccessToken(input: $input) {\n      secret\n      accessToken {\n        id\n        name\n      }\n    }\n  }\n": typeof types.CreateAccessTokenDocument,
    "\n  mutation RevokeAccessToken($id: ID!) {\n    revokeAccessToken(id: $id) {\n      revokedId\n    }\n  }\n": typeof types.RevokeAccessTokenDocument,
};
const documents: Documents = {
    "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    maskedKey\n    status\n    createdAt\n    lastUsedAt\n    expiresAt\n    ipAllowlist\n    rateLimit\n    warnings\n    permissions {\n      id\n      key\n      name\n    }\n  }\n": types.ApiKeyFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      id\n      email\n      role\n      account {\n        id\n        name\n      }\n    }\n  }\n": types.MeDocument,
    "\n  query Permissions {\n    permissions {\n      id\n      key\n      scope\n      name\n      description\n    }\n  }\n": types.PermissionsDocument,
    "\n  query ApiKeys(\n    $first: Int\n    $after: Cursor\n    $last: Int\n    $before: Cursor\n    $orderBy: ApiKeyOrder\n    $where: ApiKeyWhereInput\n  ) {\n    apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n    }\n  }\n": types.ApiKeysDocument,
    "\n  query ApiKey($id: ID!) {\n    apiKey(id: $id) {\n      ...ApiKeyFields\n      previousSecretValidUntil\n      lastUsedIp\n      lastUsedRoute\n      createdBy {\n        id\n        email\n      }\n    }\n  }\n": types.ApiKeyDocument,
    "\n  query ApiKeyUsage($id: ID!, $days: Int!) {\n    apiKeyUsage(id: $id, days: $days) {\n      day\n      count\n    }\n  }\n": types.ApiKeyUsageDocument,
    "\n  query AuditEvents($apiKeyID: ID!, $first: Int!, $after: Cursor) {\n    auditEvents(\n      first: $first\n      after: $after\n      where: { apiKeyID: $apiKeyID }\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          createdAt\n          action\n          actor\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n": types.AuditEventsDocument,
    "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.LoginDocument,
    "\n  mutation Logout {\n    logout {\n      ok\n    }\n  }\n": types.LogoutDocument,
    "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n": types.CreateApiKeyDocument,
    "\n  mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {\n    updateApiKey(id: $id, input: $input) {\n      ...ApiKeyFields\n    }\n  }\n": types.UpdateApiKeyDocument,
    "\n  mutation SetApiKeyActive($id: ID!, $active: Boolean!) {\n    setApiKeyActive(id: $id, active: $active) {\n      ...ApiKeyFields\n    }\n  }\n": types.SetApiKeyActiveDocument,
    "\n  mutation RevealApiKey($id: ID!, $password: String!) {\n    revealApiKey(id: $id, password: $password) {\n      secret\n    }\n  }\n": types.RevealApiKeyDocument,
    "\n  mutation RollApiKey($id: ID!, $oldSecretValidFor: Int!) {\n    rollApiKey(id: $id, oldSecretValidFor: $oldSecretValidFor) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n        previousSecretValidUntil\n      }\n    }\n  }\n": types.RollApiKeyDocument,
    "\n  mutation DeleteApiKey($id: ID!) {\n    deleteApiKey(id: $id) {\n      deletedId\n    }\n  }\n": types.DeleteApiKeyDocument,
    "\n  query ApiKeyCount($where: ApiKeyWhereInput) {\n    apiKeys(where: $where) {\n      totalCount\n    }\n  }\n": types.ApiKeyCountDocument,
    "\n  fragment AccountSettingsFields on AccountSettings {\n    maxKeyLifetimeDays\n    unusedKeyDays\n    deactivateUnusedKeys\n    leakedKeyAction\n    notifyOnKeyChanges\n  }\n": types.AccountSettingsFieldsFragmentDoc,
    "\n  query AccountSettings {\n    accountSettings {\n      ...AccountSettingsFields\n    }\n  }\n": types.AccountSettingsDocument,
    "\n  mutation UpdateAccountSettings($input: UpdateAccountSettingsInput!) {\n    updateAccountSettings(input: $input) {\n      ...AccountSettingsFields\n    }\n  }\n": types.UpdateAccountSettingsDocument,
    "\n  query SecurityLog($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: AuditEventWhereInput) {\n    auditEvents(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      where: $where\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          actor\n          actorEmail\n          apiKeyID\n          apiKeyName\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n": types.SecurityLogDocument,
    "\n  query Admins {\n    admins {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n": types.AdminsDocument,
    "\n  mutation InviteAdmin($input: InviteAdminInput!) {\n    inviteAdmin(input: $input) {\n      admin {\n        id\n        email\n        role\n        invitePending\n        inviteExpiresAt\n        createdAt\n      }\n    }\n  }\n": types.InviteAdminDocument,
    "\n  mutation UpdateAdminRole($id: ID!, $role: AdminRole!) {\n    updateAdminRole(id: $id, role: $role) {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n": types.UpdateAdminRoleDocument,
    "\n  mutation RemoveAdmin($id: ID!) {\n    removeAdmin(id: $id) {\n      removedId\n    }\n  }\n": types.RemoveAdminDocument,
    "\n  mutation AcceptInvite($input: AcceptInviteInput!) {\n    acceptInvite(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n": types.AcceptInviteDocument,
    "\n  fragment AccessTokenFields on AccessToken {\n    id\n    name\n    maskedToken\n    scopes\n    createdAt\n    expiresAt\n    lastUsedAt\n    admin {\n      id\n      email\n    }\n  }\n": types.AccessTokenFieldsFragmentDoc,
    "\n  query AccessTokens {\n    accessTokens {\n      ...AccessTokenFields\n    }\n  }\n": types.AccessTokensDocument,
    "\n  mutation CreateAccessToken($input: CreateAccessTokenInput!) {\n    createAccessToken(input: $input) {\n      secret\n      accessToken {\n        id\n        name\n      }\n    }\n  }\n": types.CreateAccessTokenDocument,
    "\n  mutation RevokeAccessToken($id: ID!) {\n    revokeAccessToken(id: $id) {\n      revokedId\n    }\n  }\n": types.RevokeAccessTokenDocument,
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
export function graphql(source: "\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    maskedKey\n    status\n    createdAt\n    lastUsedAt\n    expiresAt\n    ipAllowlist\n    rateLimit\n    warnings\n    permissions {\n      id\n      key\n      name\n    }\n  }\n"): (typeof documents)["\n  fragment ApiKeyFields on ApiKey {\n    id\n    name\n    maskedKey\n    status\n    createdAt\n    lastUsedAt\n    expiresAt\n    ipAllowlist\n    rateLimit\n    warnings\n    permissions {\n      id\n      key\n      name\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      email\n      role\n      account {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      id\n      email\n      role\n      account {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Permissions {\n    permissions {\n      id\n      key\n      scope\n      name\n      description\n    }\n  }\n"): (typeof documents)["\n  query Permissions {\n    permissions {\n      id\n      key\n      scope\n      name\n      description\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeys(\n    $first: Int\n    $after: Cursor\n    $last: Int\n    $before: Cursor\n    $orderBy: ApiKeyOrder\n    $where: ApiKeyWhereInput\n  ) {\n    apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKeys(\n    $first: Int\n    $after: Cursor\n    $last: Int\n    $before: Cursor\n    $orderBy: ApiKeyOrder\n    $where: ApiKeyWhereInput\n  ) {\n    apiKeys(first: $first, after: $after, last: $last, before: $before, orderBy: $orderBy, where: $where) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...ApiKeyFields\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKey($id: ID!) {\n    apiKey(id: $id) {\n      ...ApiKeyFields\n      previousSecretValidUntil\n      lastUsedIp\n      lastUsedRoute\n      createdBy {\n        id\n        email\n      }\n    }\n  }\n"): (typeof documents)["\n  query ApiKey($id: ID!) {\n    apiKey(id: $id) {\n      ...ApiKeyFields\n      previousSecretValidUntil\n      lastUsedIp\n      lastUsedRoute\n      createdBy {\n        id\n        email\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeyUsage($id: ID!, $days: Int!) {\n    apiKeyUsage(id: $id, days: $days) {\n      day\n      count\n    }\n  }\n"): (typeof documents)["\n  query ApiKeyUsage($id: ID!, $days: Int!) {\n    apiKeyUsage(id: $id, days: $days) {\n      day\n      count\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuditEvents($apiKeyID: ID!, $first: Int!, $after: Cursor) {\n    auditEvents(\n      first: $first\n      after: $after\n      where: { apiKeyID: $apiKeyID }\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          createdAt\n          action\n          actor\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query AuditEvents($apiKeyID: ID!, $first: Int!, $after: Cursor) {\n    auditEvents(\n      first: $first\n      after: $after\n      where: { apiKeyID: $apiKeyID }\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        node {\n          id\n          createdAt\n          action\n          actor\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation Login($input: LoginInput!) {\n    login(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Logout {\n    logout {\n      ok\n    }\n  }\n"): (typeof documents)["\n  mutation Logout {\n    logout {\n      ok\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateApiKey($input: CreateApiKeyInput!) {\n    createApiKey(input: $input) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {\n    updateApiKey(id: $id, input: $input) {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {\n    updateApiKey(id: $id, input: $input) {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetApiKeyActive($id: ID!, $active: Boolean!) {\n    setApiKeyActive(id: $id, active: $active) {\n      ...ApiKeyFields\n    }\n  }\n"): (typeof documents)["\n  mutation SetApiKeyActive($id: ID!, $active: Boolean!) {\n    setApiKeyActive(id: $id, active: $active) {\n      ...ApiKeyFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevealApiKey($id: ID!, $password: String!) {\n    revealApiKey(id: $id, password: $password) {\n      secret\n    }\n  }\n"): (typeof documents)["\n  mutation RevealApiKey($id: ID!, $password: String!) {\n    revealApiKey(id: $id, password: $password) {\n      secret\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RollApiKey($id: ID!, $oldSecretValidFor: Int!) {\n    rollApiKey(id: $id, oldSecretValidFor: $oldSecretValidFor) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n        previousSecretValidUntil\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RollApiKey($id: ID!, $oldSecretValidFor: Int!) {\n    rollApiKey(id: $id, oldSecretValidFor: $oldSecretValidFor) {\n      secret\n      apiKey {\n        ...ApiKeyFields\n        previousSecretValidUntil\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteApiKey($id: ID!) {\n    deleteApiKey(id: $id) {\n      deletedId\n    }\n  }\n"): (typeof documents)["\n  mutation DeleteApiKey($id: ID!) {\n    deleteApiKey(id: $id) {\n      deletedId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ApiKeyCount($where: ApiKeyWhereInput) {\n    apiKeys(where: $where) {\n      totalCount\n    }\n  }\n"): (typeof documents)["\n  query ApiKeyCount($where: ApiKeyWhereInput) {\n    apiKeys(where: $where) {\n      totalCount\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AccountSettingsFields on AccountSettings {\n    maxKeyLifetimeDays\n    unusedKeyDays\n    deactivateUnusedKeys\n    leakedKeyAction\n    notifyOnKeyChanges\n  }\n"): (typeof documents)["\n  fragment AccountSettingsFields on AccountSettings {\n    maxKeyLifetimeDays\n    unusedKeyDays\n    deactivateUnusedKeys\n    leakedKeyAction\n    notifyOnKeyChanges\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccountSettings {\n    accountSettings {\n      ...AccountSettingsFields\n    }\n  }\n"): (typeof documents)["\n  query AccountSettings {\n    accountSettings {\n      ...AccountSettingsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAccountSettings($input: UpdateAccountSettingsInput!) {\n    updateAccountSettings(input: $input) {\n      ...AccountSettingsFields\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAccountSettings($input: UpdateAccountSettingsInput!) {\n    updateAccountSettings(input: $input) {\n      ...AccountSettingsFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SecurityLog($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: AuditEventWhereInput) {\n    auditEvents(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      where: $where\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          actor\n          actorEmail\n          apiKeyID\n          apiKeyName\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query SecurityLog($first: Int, $after: Cursor, $last: Int, $before: Cursor, $where: AuditEventWhereInput) {\n    auditEvents(\n      first: $first\n      after: $after\n      last: $last\n      before: $before\n      where: $where\n      orderBy: { field: CREATED_AT, direction: DESC }\n    ) {\n      pageInfo {\n        hasNextPage\n        hasPreviousPage\n        startCursor\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          createdAt\n          action\n          actor\n          actorEmail\n          apiKeyID\n          apiKeyName\n          clientIP\n          detail\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Admins {\n    admins {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  query Admins {\n    admins {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation InviteAdmin($input: InviteAdminInput!) {\n    inviteAdmin(input: $input) {\n      admin {\n        id\n        email\n        role\n        invitePending\n        inviteExpiresAt\n        createdAt\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation InviteAdmin($input: InviteAdminInput!) {\n    inviteAdmin(input: $input) {\n      admin {\n        id\n        email\n        role\n        invitePending\n        inviteExpiresAt\n        createdAt\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateAdminRole($id: ID!, $role: AdminRole!) {\n    updateAdminRole(id: $id, role: $role) {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateAdminRole($id: ID!, $role: AdminRole!) {\n    updateAdminRole(id: $id, role: $role) {\n      id\n      email\n      role\n      invitePending\n      inviteExpiresAt\n      createdAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RemoveAdmin($id: ID!) {\n    removeAdmin(id: $id) {\n      removedId\n    }\n  }\n"): (typeof documents)["\n  mutation RemoveAdmin($id: ID!) {\n    removeAdmin(id: $id) {\n      removedId\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation AcceptInvite($input: AcceptInviteInput!) {\n    acceptInvite(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation AcceptInvite($input: AcceptInviteInput!) {\n    acceptInvite(input: $input) {\n      admin {\n        id\n        email\n        role\n        account {\n          id\n          name\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AccessTokenFields on AccessToken {\n    id\n    name\n    maskedToken\n    scopes\n    createdAt\n    expiresAt\n    lastUsedAt\n    admin {\n      id\n      email\n    }\n  }\n"): (typeof documents)["\n  fragment AccessTokenFields on AccessToken {\n    id\n    name\n    maskedToken\n    scopes\n    createdAt\n    expiresAt\n    lastUsedAt\n    admin {\n      id\n      email\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AccessTokens {\n    accessTokens {\n      ...AccessTokenFields\n    }\n  }\n"): (typeof documents)["\n  query AccessTokens {\n    accessTokens {\n      ...AccessTokenFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateAccessToken($input: CreateAccessTokenInput!) {\n    createAccessToken(input: $input) {\n      secret\n      accessToken {\n        id\n        name\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateAccessToken($input: CreateAccessTokenInput!) {\n    createAccessToken(input: $input) {\n      secret\n      accessToken {\n        id\n        name\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RevokeAccessToken($id: ID!) {\n    revokeAccessToken(id: $id) {\n      revokedId\n    }\n  }\n"): (typeof documents)["\n  mutation RevokeAccessToken($id: ID!) {\n    revokeAccessToken(id: $id) {\n      revokedId\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;