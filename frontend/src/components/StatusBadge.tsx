import type { ApiKeyStatus } from '../gql/graphql';

const LABEL: Record<ApiKeyStatus, string> = {
  ACTIVE: 'Active',
  INACTIVE: 'Inactive',
  EXPIRED: 'Expired',
};

export function statusLabel(status: ApiKeyStatus): string {
  return LABEL[status] ?? status;
}

export function StatusBadge({ status }: { status: ApiKeyStatus }) {
  return (
    <span className={`badge badge-${status.toLowerCase()}`} data-status={status}>
      <span className="badge-dot" aria-hidden="true" />
      {statusLabel(status)}
    </span>
  );
}
