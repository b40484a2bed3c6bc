import type { AuditAction } from '../gql/graphql';

const ACTION_LABEL: Record<AuditAction, string> = {
  CREATED: 'Created',
  REVEALED: 'Revealed',
  REVEAL_FAILED: 'Reveal failed',
  ACTIVATED: 'Activated',
  DEACTIVATED: 'Deactivated',
  RENAMED: 'Renamed',
  PERMISSIONS_CHANGED: 'Permissions changed',
  UPDATED: 'Updated',
  ROLLED: 'Rolled',
  DELETED: 'Deleted',
  LEAKED: 'Reported leaked',
  REVOKED_PUBLICLY: 'Revoked publicly',
  DEACTIVATED_UNUSED: 'Deactivated (unused)',
  SETTINGS_CHANGED: 'Settings changed',
  LOGIN: 'Signed in',
  LOGIN_FAILED: 'Sign-in failed',
  ADMIN_INVITED: 'Admin invited',
  ADMIN_JOINED: 'Admin joined',
  ADMIN_ROLE_CHANGED: 'Role changed',
  ADMIN_REMOVED: 'Admin removed',
  TOKEN_CREATED: 'Access token created',
  TOKEN_REVOKED: 'Access token revoked',
};

export function actionLabel(a: AuditAction): string {
  return ACTION_LABEL[a] ?? a;
}

/** Every action, grouped for the security log's filter. */
export const ACTION_GROUPS: { label: string; actions: AuditAction[] }[] = [
  {
    label: 'Keys',
    actions: ['CREATED', 'UPDATED', 'RENAMED', 'PERMISSIONS_CHANGED', 'ACTIVATED', 'DEACTIVATED', 'ROLLED', 'REVEALED', 'REVEAL_FAILED', 'DELETED'],
  },
  { label: 'Leaks and policies', actions: ['LEAKED', 'REVOKED_PUBLICLY', 'DEACTIVATED_UNUSED', 'SETTINGS_CHANGED'] },
  { label: 'Sign-ins', actions: ['LOGIN', 'LOGIN_FAILED'] },
  { label: 'Team', actions: ['ADMIN_INVITED', 'ADMIN_JOINED', 'ADMIN_ROLE_CHANGED', 'ADMIN_REMOVED'] },
  { label: 'Access tokens', actions: ['TOKEN_CREATED', 'TOKEN_REVOKED'] },
];

export const ALL_ACTIONS: AuditAction[] = ACTION_GROUPS.flatMap((g) => g.actions);

/** The colour class of an action's dot: danger, warning, success or neutral. */
export function actionTone(a: AuditAction): 'danger' | 'warning' | 'success' | 'info' | 'neutral' {
  switch (a) {
    case 'DEACTIVATED':
    case 'DELETED':
    case 'REVEAL_FAILED':
    case 'LEAKED':
    case 'REVOKED_PUBLICLY':
    case 'LOGIN_FAILED':
    case 'ADMIN_REMOVED':
    case 'TOKEN_REVOKED':
    case 'DEACTIVATED_UNUSED':
      return 'danger';
    case 'REVEALED':
    case 'ROLLED':
    case 'SETTINGS_CHANGED':
    case 'ADMIN_ROLE_CHANGED':
      return 'warning';
    case 'CREATED':
    case 'ACTIVATED':
    case 'ADMIN_JOINED':
    case 'TOKEN_CREATED':
      return 'success';
    case 'RENAMED':
    case 'PERMISSIONS_CHANGED':
    case 'UPDATED':
    case 'ADMIN_INVITED':
      return 'info';
    default:
      return 'neutral';
  }
}
