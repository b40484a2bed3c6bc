import { useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { AdminsQuery, SecurityLogQuery } from '../graphql/operations';
import type { AuditAction, SecurityLogQuery as SecurityLogData, SecurityLogQueryVariables } from '../gql/graphql';
import { ACTION_GROUPS, ALL_ACTIONS, actionLabel, actionTone } from '../lib/audit';
import { errorMessage } from '../lib/errors';
import { formatDate, formatExact, formatTime } from '../lib/time';
import { SearchIcon } from '../components/icons';
import { useDebouncedParam, useUrlState } from '../lib/urlState';

export const LOG_PAGE_SIZE = 25;

/** The variables of the auditEvents query for the page's URL state (the whole account, newest first). */
export function logVariables(params: URLSearchParams): SecurityLogQueryVariables {
  const where: NonNullable<SecurityLogQueryVariables['where']> = {};
  const action = params.get('action') as AuditAction | null;
  if (action && ALL_ACTIONS.includes(action)) where.action = action;
  const key = params.get('key');
  if (key) where.apiKeyID = key;
  const keyName = params.get('keyName')?.trim();
  if (keyName) where.apiKeyNameContainsFold = keyName;
  const actor = params.get('actor')?.trim();
  if (actor) where.actorEmailContainsFold = actor;
  const vars: SecurityLogQueryVariables = { where: Object.keys(where).length ? where : null };
  const before = params.get('before');
  const after = params.get('after');
  if (before) {
    vars.last = LOG_PAGE_SIZE;
    vars.before = before;
  } else {
    vars.first = LOG_PAGE_SIZE;
    if (after) vars.after = after;
  }
  return vars;
}

const ctx = { additionalTypenames: ['AuditEvent', 'ApiKey'] };

export function SecurityLogPage() {
  const [params, update] = useUrlState();
  const variables = useMemo(() => logVariables(params), [params]);
  const [result, refetch] = useQuery({ query: SecurityLogQuery, variables, context: ctx, requestPolicy: 'cache-and-network' });
  const [admins] = useQuery({ query: AdminsQuery, requestPolicy: 'cache-first' });

  const last = useRef<SecurityLogData | undefined>(undefined);
  if (result.data) last.current = result.data;
  const data = result.data ?? (result.fetching ? last.current : undefined);

  const [keyName, setKeyName] = useDebouncedParam(params, 'keyName', update);
  const [actor, setActor] = useDebouncedParam(params, 'actor', update);

  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const filtered = !!(params.get('action') || params.get('key') || params.get('keyName') || params.get('actor'));
  const conn = data?.auditEvents;
  const events = (conn?.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  const keyId = params.get('key');
  const keyLabel = keyId ? (events.find((e) => e.apiKeyID === keyId)?.apiKeyName ?? `#${keyId}`) : null;
  // Paging backwards (`before`) the server does not say whether older pages follow: they do, we came from one.
  const hasOlder = !!conn && (conn.pageInfo.hasNextPage || !!params.get('before'));
  const hasNewer = page > 1;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Security log</h1>
          <p className="page-subtitle">
            Everything that happened in this account, newest first: key changes (deleted keys too), reveals, leaks,
            sign-ins, settings, team and access-token events.
          </p>
        </div>
      </header>

      <section className="card table-card" aria-label="Security events">
        <div className="toolbar" role="search" aria-label="Filter the security log">
          <div className="filters">
            <label className="sr-only" htmlFor="log-action">
              Filter by event
            </label>
            <select
              id="log-action"
              className="input input-select"
              value={params.get('action') ?? ''}
              onChange={(e) => update({ action: e.target.value || null })}
            >
              <option value="">All events</option>
              {ACTION_GROUPS.map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.actions.map((a) => (
                    <option key={a} value={a}>
                      {actionLabel(a)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </select>
            <div className="search search-sm">
              <SearchIcon className="search-icon" />
              <label htmlFor="log-key" className="sr-only">
                Filter by key name
              </label>
              <input
                id="log-key"
                type="search"
                className="input"
                placeholder="Key name"
                value={keyName}
                onChange={(e) => setKeyName(e.target.value)}
                autoComplete="off"
              />
            </div>
            <div className="search search-sm">
              <SearchIcon className="search-icon" />
              <label htmlFor="log-actor" className="sr-only">
                Filter by actor
              </label>
              <input
                id="log-actor"
                type="search"
                className="input"
                placeholder="Actor email"
                list="log-actors"
                value={actor}
                onChange={(e) => setActor(e.target.value)}
                autoComplete="off"
              />
              <datalist id="log-actors">
                {(admins.data?.admins ?? []).map((a) => (
                  <option key={a.id} value={a.email} />
                ))}
              </datalist>
            </div>
            {keyId && (
              <span className="filter-chip" data-testid="key-filter">
                Key: {keyLabel}
                <button type="button" className="icon-button icon-button-xs" aria-label="Show every key" onClick={() => update({ key: null })}>
                  ×
                </button>
              </span>
            )}
          </div>
          {filtered && (
            <button
              type="button"
              className="button button-ghost button-sm"
              onClick={() => {
                setKeyName('');
                setActor('');
                update({ action: null, key: null, keyName: null, actor: null });
              }}
            >
              Clear filters
            </button>
          )}
        </div>

        {result.error && !data ? (
          <div className="callout callout-error table-message" role="alert">
            <p>Could not load the security log. {errorMessage(result.error)}</p>
            <button type="button" className="button button-secondary button-sm" onClick={() => refetch({ requestPolicy: 'network-only' })}>
              Try again
            </button>
          </div>
        ) : (
          <div className={`table-wrap${result.fetching && data ? ' is-refreshing' : ''}`} aria-busy={result.fetching}>
            <table className="table">
              <caption className="sr-only">Security events{filtered ? ' matching the filters' : ''}, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">Event</th>
                  <th scope="col">Key</th>
                  <th scope="col">Actor</th>
                  <th scope="col">IP address</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {!data &&
                  Array.from({ length: 6 }, (_, i) => (
                    <tr key={i} className="skeleton-row" aria-hidden="true">
                      {Array.from({ length: 6 }, (_, j) => (
                        <td key={j}>
                          <span className="skeleton" />
                        </td>
                      ))}
                    </tr>
                  ))}
                {data && events.length === 0 && (
                  <tr>
                    <td colSpan={6} className="table-empty">
                      {filtered ? 'No events match these filters.' : 'No events yet.'}
                    </td>
                  </tr>
                )}
                {events.map((ev) => (
                  <tr key={ev.id} data-testid="log-row" data-action={ev.action}>
                    <td className="nowrap">
                      <time dateTime={ev.createdAt} title={formatExact(ev.createdAt)} className="stacked-time">
                        <span>{formatDate(ev.createdAt)}</span>
                        <span className="subtle small">{formatTime(ev.createdAt)}</span>
                      </time>
                    </td>
                    <td className="nowrap">
                      <span className="event-label">
                        <span className={`audit-dot tone-${actionTone(ev.action)}`} aria-hidden="true" />
                        {actionLabel(ev.action)}
                      </span>
                    </td>
                    <td>
                      {ev.apiKeyID ? (
                        <Link to={`/keys/${ev.apiKeyID}`} className="key-name-link">
                          {ev.apiKeyName || `#${ev.apiKeyID}`}
                        </Link>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                    <td className="log-actor">{ev.actor || 'system'}</td>
                    <td className="mono small">{ev.clientIP || <span className="muted">—</span>}</td>
                    <td className="log-detail">{ev.detail || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {!data && (
              <p className="sr-only" role="status">
                Loading the security log…
              </p>
            )}
          </div>
        )}

        {conn && (events.length > 0 || page > 1) && (
          <nav className="pagination" aria-label="Pagination">
            <p className="pagination-info" aria-live="polite">
              Page <strong>{page}</strong>
              {events.length > 0 && (
                <>
                  {' '}
                  · events <strong>{(page - 1) * LOG_PAGE_SIZE + 1}</strong>–<strong>{(page - 1) * LOG_PAGE_SIZE + events.length}</strong>
                </>
              )}
            </p>
            <div className="pagination-buttons">
              <button
                type="button"
                className="button button-secondary button-sm"
                disabled={!hasNewer || !conn.pageInfo.startCursor}
                onClick={() =>
                  update(
                    page - 1 <= 1
                      ? { after: null, before: null, page: null }
                      : { after: null, before: conn.pageInfo.startCursor ?? null, page: String(page - 1) },
                    false,
                  )
                }
              >
                Newer
              </button>
              <button
                type="button"
                className="button button-secondary button-sm"
                disabled={!hasOlder || !conn.pageInfo.endCursor}
                onClick={() => update({ before: null, after: conn.pageInfo.endCursor ?? null, page: String(page + 1) }, false)}
              >
                Older
              </button>
            </div>
          </nav>
        )}
      </section>
    </div>
  );
}
