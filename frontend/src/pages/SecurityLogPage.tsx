import { useMemo, useRef } from 'react';
import { Link } from 'react-router';
import { useQuery } from 'urql';
import { AdminsQuery, SecurityLogQuery } from '../graphql/operations';
import type { AuditAction, SecurityLogQuery as SecurityLogData, SecurityLogQueryVariables } from '../gql/graphql';
import { ACTION_GROUPS, ALL_ACTIONS, actionLabel, actionTone } from '../lib/audit';
import { formatDate, formatExact, formatTime } from '../lib/time';
import { FilterSelect, SearchField } from '../components/Filters';
import { LoadError } from '../components/LoadError';
import { Pagination } from '../components/Pagination';
import { SkeletonRows } from '../components/SkeletonRows';
import { useCursorFallback, useDebouncedParam, useUrlState } from '../lib/urlState';

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
  const cursor = useCursorFallback(result.error, params, update);

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
            <FilterSelect
              id="log-action"
              label="Filter by event"
              allLabel="All events"
              value={params.get('action') ?? ''}
              onChange={(action) => update({ action })}
            >
              {ACTION_GROUPS.map((g) => (
                <optgroup key={g.label} label={g.label}>
                  {g.actions.map((a) => (
                    <option key={a} value={a}>
                      {actionLabel(a)}
                    </option>
                  ))}
                </optgroup>
              ))}
            </FilterSelect>
            <SearchField
              id="log-key"
              label="Filter by key name"
              small
              placeholder="Key name"
              value={keyName}
              onChange={(e) => setKeyName(e.target.value)}
            />
            <SearchField
              id="log-actor"
              label="Filter by actor"
              small
              placeholder="Actor email"
              list="log-actors"
              value={actor}
              onChange={(e) => setActor(e.target.value)}
            >
              <datalist id="log-actors">
                {(admins.data?.admins ?? []).map((a) => (
                  <option key={a.id} value={a.email} />
                ))}
              </datalist>
            </SearchField>
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

        {cursor.notice && (
          <p className="callout callout-info table-message" role="status">
            That page link was out of date, so the newest events are shown.
          </p>
        )}
        {result.error && !data && !cursor.refused ? (
          <LoadError message="Could not load the security log." error={result.error} refetch={refetch} className="table-message" />
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
                {!data && <SkeletonRows rows={6} columns={6} className="skeleton-row" />}
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
          <Pagination
            page={page}
            pageInfo={conn.pageInfo}
            update={update}
            previousLabel="Newer"
            nextLabel="Older"
            nextDisabled={!hasOlder || !conn.pageInfo.endCursor}
          >
            Page <strong>{page}</strong>
            {events.length > 0 && (
              <>
                {' '}
                · events <strong>{(page - 1) * LOG_PAGE_SIZE + 1}</strong>–<strong>{(page - 1) * LOG_PAGE_SIZE + events.length}</strong>
              </>
            )}
          </Pagination>
        )}
      </section>
    </div>
  );
}
