import type { AccessScope, AdminRole } from '../gql/graphql';

// What each role may do in the SPA (DESIGN.md section 10). The server enforces the same table and answers
// FORBIDDEN; the SPA only hides or disables what would be refused, and says why.

export const ROLES: AdminRole[] = ['OWNER', 'ADMIN', 'VIEWER'];

export const ROLE_LABEL: Record<AdminRole, string> = {
  OWNER: 'Owner',
  ADMIN: 'Admin',
  VIEWER: 'Viewer',
};

export const ROLE_DESCRIPTION: Record<AdminRole, string> = {
  OWNER: 'Everything, including the team, access tokens of others and the account settings.',
  ADMIN: 'Create, change, reveal, roll and delete keys; read the security log. Not the team or the settings.',
  VIEWER: 'Read keys, their usage and the security log. Cannot change or reveal keys.',
};

export const SCOPES: AccessScope[] = ['KEYS_READ', 'KEYS_WRITE', 'AUDIT_READ'];

export const SCOPE_LABEL: Record<AccessScope, string> = {
  KEYS_READ: 'Read keys',
  KEYS_WRITE: 'Manage keys',
  AUDIT_READ: 'Read the security log',
};

export const SCOPE_DESCRIPTION: Record<AccessScope, string> = {
  KEYS_READ: 'List keys and read their permissions and usage.',
  KEYS_WRITE: 'Create, change, roll, activate and delete keys. Never reveals a key.',
  AUDIT_READ: 'Read the security log and the audit trail of every key.',
};

export interface Capabilities {
  role: AdminRole;
  /** Create, edit, roll, delete, activate and deactivate keys. */
  manageKeys: boolean;
  /** Reveal a key's full secret (with the password). */
  revealKeys: boolean;
  /** Invite admins, change roles, remove admins. */
  manageTeam: boolean;
  /** Change the account settings. */
  editSettings: boolean;
  /** Sees and revokes every admin's access tokens, not only their own. */
  allTokens: boolean;
  /** The scopes this admin's access tokens may carry. */
  tokenScopes: AccessScope[];
}

/** The capabilities of a role; no role (not signed in) can do nothing. */
export function capabilitiesOf(role: AdminRole | null | undefined): Capabilities {
  const r = role ?? 'VIEWER';
  const known = !!role;
  return {
    role: r,
    manageKeys: known && r !== 'VIEWER',
    revealKeys: known && r !== 'VIEWER',
    manageTeam: known && r === 'OWNER',
    editSettings: known && r === 'OWNER',
    allTokens: known && r === 'OWNER',
    tokenScopes: !known ? [] : r === 'VIEWER' ? ['KEYS_READ', 'AUDIT_READ'] : [...SCOPES],
  };
}

/** Why a control is missing or disabled, in a sentence naming the role that would allow it. */
export const WHY = {
  manageKeys: 'Viewers can read keys but not create, change, roll or delete them. Ask an owner for the Admin role.',
  revealKeys: 'Viewers cannot reveal keys.',
  manageTeam: 'Only owners can invite admins, change roles or remove admins.',
  editSettings: 'Only owners can change the account settings.',
  scope: (role: AdminRole) => `Not available to the ${ROLE_LABEL[role]} role.`,
};
