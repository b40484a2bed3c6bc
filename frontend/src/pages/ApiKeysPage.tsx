import { useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { ApiKeyCountQuery, ApiKeysQuery, PermissionsQuery } from '../graphql/operations';
import type { ApiKeyFieldsFragment, ApiKeyStatus, ApiKeysQuery as ApiKeysQueryData, ApiKeysQueryVariables, PermissionKey } from '../gql/graphql';
import { KeyFormDialog } from '../components/KeyFormDialog';
import { KeyActions } from '../components/KeyActions';
import { MaskedKey } from '../components/MaskedKey';
import { StatusBadge } from '../components/StatusBadge';
import { WarningBadges } from '../components/WarningBadges';
import { useCan } from '../me';
import { WHY } from '../lib/roles';
import { RelativeTime } from '../components/RelativeTime';
import { KeyIcon, PlusIcon, SortIcon, WarningIcon } from '../components/icons';
import { FilterSelect, SearchField } from '../components/Filters';
import { LoadError } from '../components/LoadError';
import { Pagination } from '../components/Pagination';
import { SkeletonRows } from '../components/SkeletonRows';
import { useCursorFallback, useDebouncedParam, useUrlState } from '../lib/urlState';
import { formatDate, formatExact, formatTime } from '../lib/time';

export const PAGE_SIZE = 20;

type SortKey = 'created' | 'lastused';
type Dir = 'asc' | 'desc';

const STATUSES: { value: ApiKeyStatus; label: string }[] = [
  { value: 'ACTIVE', label: 'Active' },
  { value: 'INACTIVE', label: 'Inactive' },
  { value: 'EXPIRED', label: 'Expired' },
];

// Every PermissionKey, so a URL's permission filter is checked before it reaches the server (a new key in the
// schema is a compile error here until it is added).
const PERMISSION_KEYS: Record<PermissionKey, true> = {
  SEND_EMAILS: true,
  MANAGE_EMAIL_TEMPLATES: true,
  READ_LEADS: true,
  WRITE_LEADS: true,
  DELETE_LEADS: true,
};

/** The status and permission filters of the URL; a value that is not one (a stale or hand-edited link) is none. */
export function urlFilters(params: URLSearchParams): { status: ApiKeyStatus | null; permission: PermissionKey | null } {
  const status = params.get('status');
  const permission = params.get('permission');
  return {
    status: STATUSES.find((s) => s.value === status)?.value ?? null,
    permission: permission && Object.hasOwn(PERMISSION_KEYS, permission) ? (permission as PermissionKey) : null,
  };
}

function parseSort(s: string | null): { key: SortKey; dir: Dir } {
  const [k, d] = (s ?? '').split('-');
  return { key: k === 'lastused' ? 'lastused' : 'created', dir: d === 'asc' ? 'asc' : 'desc' };
}

/** The variables of the apiKeys query for the page's URL state. */
export function listVariables(params: URLSearchParams): ApiKeysQueryVariables {
  const q = params.get('q')?.trim();
  const { status, permission } = urlFilters(params);
  const { key, dir } = parseSort(params.get('sort'));
  const where: NonNullable<ApiKeysQueryVariables['where']> = {};
  if (q) where.nameContainsFold = q;
  if (status) where.status = status;
  if (permission) where.permission = permission;
  if (params.get('attention') === '1') where.needsAttention = true;
  const vars: ApiKeysQueryVariables = {
    orderBy: { field: key === 'lastused' ? 'LAST_USED_AT' : 'CREATED_AT', direction: dir === 'asc' ? 'ASC' : 'DESC' },
    where: Object.keys(where).length ? where : null,
  };
  const before = params.get('before');
  const after = params.get('after');
  if (before) {
    vars.last = PAGE_SIZE;
    vars.before = before;
  } else {
    vars.first = PAGE_SIZE;
    if (after) vars.after = after;
  }
  return vars;
}

export function ApiKeysPage() {
  const [params, update] = useUrlState();
  const [creating, setCreating] = useState(false);
  const variables = useMemo(() => listVariables(params), [params]);
  const context = useMemo(() => ({ additionalTypenames: ['ApiKey'] }), []);
  const [result, refetch] = useQuery({ query: ApiKeysQuery, variables, context });
  const [perms] = useQuery({ query: PermissionsQuery, requestPolicy: 'cache-first' });
  const can = useCan();
  const cursor = useCursorFallback(result.error, params, update);

  // Keep the last page on screen while the next one loads.
  const last = useRef<ApiKeysQueryData | undefined>(undefined);
  if (result.data) last.current = result.data;
  const data = result.data ?? (result.fetching ? last.current : undefined);

  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const attention = params.get('attention') === '1';
  const { status, permission } = urlFilters(params);
  const filtered = !!(params.get('q') || status || permission || attention);
  const sort = parseSort(params.get('sort'));

  function toggleSort(key: SortKey) {
    const dir: Dir = sort.key === key && sort.dir === 'desc' ? 'asc' : 'desc';
    update({ sort: key === 'created' && dir === 'desc' ? null : `${key}-${dir}` });
  }

  // Search box: local text, debounced into the URL.
  const [search, setSearch] = useDebouncedParam(params, 'q', update);

  const conn = data?.apiKeys;
  const keys: ApiKeyFieldsFragment[] = (conn?.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  const paging = !!(params.get('after') || params.get('before'));
  const showEmpty = !!conn && keys.length === 0 && !filtered && !paging;
  const firstShown = (page - 1) * PAGE_SIZE + 1;
  const lastShown = firstShown + keys.length - 1;

  // The count is a query of its own, sent once the page is on screen: the list never waits for it.
  const countVars = useMemo(() => ({ where: variables.where }), [variables.where]);
  const [count] = useQuery({ query: ApiKeyCountQuery, variables: countVars, context, pause: !result.data });
  const counted = count.data?.apiKeys.totalCount;
  // Without a count yet: exact when this page is the first and the last, "many" otherwise.
  const total: number | null =
    counted ?? (conn && !conn.pageInfo.hasNextPage && !params.get('before') ? lastShown : null);
  const columns = can.manageKeys ? 7 : 6;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>
            API Key Management
          </h1>
          <p className="page-subtitle">
            API keys let your services send email, manage templates and work with leads through the REST API. Treat
            them like passwords.
          </p>
        </div>
        {can.manageKeys && (
          <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
            <PlusIcon />
            <span>Create New Key</span>
          </button>
        )}
      </header>
      {!can.manageKeys && (
        <p className="callout callout-info" data-testid="read-only-note">
          You have the Viewer role. {WHY.manageKeys}
        </p>
      )}

      {creating && <KeyFormDialog onClose={() => setCreating(false)} />}

      {showEmpty ? (
        <section className="empty-state card" aria-labelledby="empty-title">
          <div className="empty-icon" aria-hidden="true">
            <KeyIcon width={28} height={28} />
          </div>
          <h2 id="empty-title">Create your first API key</h2>
          <p>
            Your services need a key to call the businesstools REST API. Choose exactly the permissions each one needs;
            you can change them later.
          </p>
          {can.manageKeys ? (
            <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
              <PlusIcon />
              <span>Create your first key</span>
            </button>
          ) : (
            <p>There are no keys yet. An owner or an admin can create them.</p>
          )}
        </section>
      ) : (
        <section className="card" aria-label="API keys">
          <div className="toolbar" role="search">
            <SearchField
              id="key-search"
              label="Search keys by name"
              placeholder="Search by name"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
            <div className="filters">
              <FilterSelect
                id="status-filter"
                label="Filter by status"
                allLabel="All statuses"
                value={status ?? ''}
                onChange={(status) => update({ status })}
              >
                {STATUSES.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </FilterSelect>
              <FilterSelect
                id="permission-filter"
                label="Filter by permission"
                allLabel="All permissions"
                value={permission ?? ''}
                onChange={(permission) => update({ permission })}
              >
                {(perms.data?.permissions ?? []).map((p) => (
                  <option key={p.key} value={p.key}>
                    {p.name}
                  </option>
                ))}
              </FilterSelect>
              <label className={`filter-check${attention ? ' checked' : ''}`}>
                <input
                  type="checkbox"
                  checked={attention}
                  onChange={(e) => update({ attention: e.target.checked ? '1' : null })}
                  aria-describedby="attention-hint"
                />
                <WarningIcon width={14} height={14} />
                <span>Needs attention</span>
              </label>
              <span id="attention-hint" className="sr-only">
                Leaked, expiring within 7 days, or unused for longer than the account allows.
              </span>
              {filtered && (
                <button
                  type="button"
                  className="button button-ghost button-sm"
                  onClick={() => {
                    setSearch('');
                    update({ q: null, status: null, permission: null, attention: null });
                  }}
                >
                  Clear filters
                </button>
              )}
            </div>
          </div>

          {cursor.notice && (
            <p className="callout callout-info table-message" role="status">
              That page link was out of date, so the first page is shown.
            </p>
          )}
          {result.error && !data && !cursor.refused ? (
            <LoadError message="Could not load API keys." error={result.error} refetch={refetch} className="table-message" />
          ) : (
            <div className={`table-wrap${result.fetching && data ? ' is-refreshing' : ''}`} aria-busy={result.fetching}>
              <table className="table">
                <caption className="sr-only">
                  API keys{filtered ? ' matching the filters' : ''}
                  {total !== null ? `, ${total} in total` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">API Key</th>
                    <th scope="col">Permissions</th>
                    <SortHeader label="Created" active={sort.key === 'created'} dir={sort.dir} onClick={() => toggleSort('created')} />
                    <SortHeader label="Last Used" active={sort.key === 'lastused'} dir={sort.dir} onClick={() => toggleSort('lastused')} />
                    <th scope="col">Status</th>
                    {can.manageKeys && (
                      <th scope="col" className="col-actions">
                        Actions
                      </th>
                    )}
                  </tr>
                </thead>
                <tbody>
                  {!data && <SkeletonRows rows={5} columns={columns} className="skeleton-row" />}
                  {data && keys.length === 0 && (
                    <tr>
                      <td colSpan={columns} className="table-empty">
                        {filtered ? 'No keys match these filters.' : 'No keys on this page.'}
                      </td>
                    </tr>
                  )}
                  {keys.map((k) => (
                    <KeyRow key={k.id} apiKey={k} actions={can.manageKeys} />
                  ))}
                </tbody>
              </table>
              {!data && <p className="sr-only" role="status">Loading API keys…</p>}
            </div>
          )}

          {conn && (keys.length > 0 || paging) && (
            <Pagination
              page={page}
              pageInfo={conn.pageInfo}
              update={update}
              previousLabel="Previous"
              nextLabel="Next"
              nextDisabled={!(conn.pageInfo.hasNextPage || params.get('before')) || (total !== null && lastShown >= total)}
            >
              {keys.length > 0 ? (
                total !== null ? (
                  <>
                    Showing <strong>{firstShown}</strong>–<strong>{lastShown}</strong> of <strong>{total}</strong>{' '}
                    {total === 1 ? 'key' : 'keys'}
                  </>
                ) : (
                  <>
                    Showing <strong>{firstShown}</strong>–<strong>{lastShown}</strong> of many
                  </>
                )
              ) : (
                <>No keys on this page</>
              )}
            </Pagination>
          )}
        </section>
      )}
    </div>
  );
}

function SortHeader({ label, active, dir, onClick }: { label: string; active: boolean; dir: Dir; onClick: () => void }) {
  return (
    <th scope="col" aria-sort={active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className={`sort-button${active ? ' active' : ''}`} onClick={onClick}>
        {label}
        <SortIcon dir={active ? dir : null} width={14} height={14} />
        <span className="sr-only">
          {active ? `, sorted ${dir === 'asc' ? 'oldest' : 'newest'} first; activate to reverse` : ', activate to sort'}
        </span>
      </button>
    </th>
  );
}

export function KeyRow({ apiKey, actions = true }: { apiKey: ApiKeyFieldsFragment; actions?: boolean }) {
  return (
    <tr data-key-id={apiKey.id} data-testid="key-row">
      <th scope="row" className="col-name">
        <Link to={`/keys/${apiKey.id}`} className="key-name-link">
          {apiKey.name}
        </Link>
        {apiKey.expiresAt && apiKey.status !== 'EXPIRED' && (
          <span className="subtle small">
            Expires <RelativeTime date={apiKey.expiresAt} />
          </span>
        )}
      </th>
      <td>
        <MaskedKey keyId={apiKey.id} keyName={apiKey.name} masked={apiKey.maskedKey} />
      </td>
      <td>
        <ul className="chips" aria-label={`Permissions of ${apiKey.name}`}>
          {apiKey.permissions.map((p) => (
            <li key={p.key} className="chip">
              {p.name}
            </li>
          ))}
        </ul>
      </td>
      <td className="nowrap">
        <time dateTime={apiKey.createdAt} title={formatExact(apiKey.createdAt)} className="stacked-time">
          <span>{formatDate(apiKey.createdAt)}</span>
          <span className="subtle small">{formatTime(apiKey.createdAt)}</span>
        </time>
      </td>
      <td className="nowrap">
        <RelativeTime date={apiKey.lastUsedAt} fallback="Never" />
      </td>
      <td>
        <div className="status-cell">
          <StatusBadge status={apiKey.status} />
          <WarningBadges apiKey={apiKey} />
        </div>
      </td>
      {actions && (
        <td className="col-actions">
          <KeyActions apiKey={apiKey} />
        </td>
      )}
    </tr>
  );
}
