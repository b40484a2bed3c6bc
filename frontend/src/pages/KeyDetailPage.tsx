import { Suspense, lazy, useMemo, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery } from 'urql';
import { ApiKeyQuery, ApiKeyUsageQuery, AuditEventsQuery } from '../graphql/operations';
import { actionLabel, actionTone } from '../lib/audit';
import { WarningBadges, warningExplanation, warningLabel } from '../components/WarningBadges';
import { useCan } from '../me';
import { WHY } from '../lib/roles';
import { KeyActions } from '../components/KeyActions';
import { LoadError } from '../components/LoadError';
import { MaskedKey } from '../components/MaskedKey';
import { StatusBadge } from '../components/StatusBadge';
import { RelativeTime } from '../components/RelativeTime';
import { ArrowLeftIcon } from '../components/icons';
import { appErrors, errorMessage } from '../lib/errors';
import { formatDateTime, formatExact } from '../lib/time';

const UsageChart = lazy(() => import('../components/UsageChart'));

const ctx = { additionalTypenames: ['ApiKey', 'AuditEvent'] };

export function KeyDetailPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const [result, refetch] = useQuery({ query: ApiKeyQuery, variables: { id }, context: ctx });
  const key = result.data?.apiKey;
  const can = useCan();
  const notFound = (!result.fetching && result.data && !key) || appErrors(result.error).some((e) => e.code === 'NOT_FOUND');

  if (notFound) {
    return (
      <div className="page">
        <BackLink />
        <section className="empty-state card">
          <h1 tabIndex={-1}>API key not found</h1>
          <p>It may have been deleted. Its audit trail is kept in the account’s records.</p>
          <Link to="/keys" className="button button-primary">
            Back to API keys
          </Link>
        </section>
      </div>
    );
  }

  if (result.error && !key) {
    return (
      <div className="page">
        <BackLink />
        <LoadError message="Could not load this key." error={result.error} refetch={refetch} />
      </div>
    );
  }

  if (!key) {
    return (
      <div className="page" aria-busy="true">
        <BackLink />
        <h1 tabIndex={-1} className="skeleton-title">
          <span className="sr-only">Loading API key…</span>
          <span className="skeleton skeleton-lg" aria-hidden="true" />
        </h1>
        <div className="card detail-grid-skeleton">
          <span className="skeleton" />
          <span className="skeleton" />
          <span className="skeleton" />
        </div>
      </div>
    );
  }

  return (
    <div className="page">
      <BackLink />
      <header className="page-header detail-header">
        <div>
          <div className="detail-title">
            <h1 tabIndex={-1}>{key.name}</h1>
            <StatusBadge status={key.status} />
            <WarningBadges apiKey={key} />
          </div>
          <MaskedKey keyId={key.id} keyName={key.name} masked={key.maskedKey} />
        </div>
        <KeyActions apiKey={key} labels onDeleted={() => navigate('/keys')} />
      </header>

      {key.warnings.length > 0 && (
        <ul className="plain-list warning-callouts" aria-label="What needs attention">
          {key.warnings.map((w) => (
            <li key={w} className={`callout ${w === 'LEAKED' ? 'callout-error' : 'callout-warning'}`} data-warning={w}>
              <p>
                <strong>{warningLabel(w, key)}.</strong> {warningExplanation(w)}
              </p>
            </li>
          ))}
        </ul>
      )}
      {!can.manageKeys && (
        <p className="callout callout-info" data-testid="read-only-note">
          You have the Viewer role. {WHY.manageKeys}
        </p>
      )}

      <section className="card" aria-labelledby="details-title">
        <h2 id="details-title" className="card-title">
          Details
        </h2>
        <dl className="detail-grid">
          <div>
            <dt>Permissions</dt>
            <dd>
              <ul className="chips">
                {key.permissions.map((p) => (
                  <li key={p.key} className="chip">
                    {p.name}
                  </li>
                ))}
              </ul>
            </dd>
          </div>
          <div>
            <dt>Created</dt>
            <dd>
              <time dateTime={key.createdAt} title={formatExact(key.createdAt)}>
                {formatDateTime(key.createdAt)}
              </time>
              {key.createdBy && <span className="subtle"> by {key.createdBy.email}</span>}
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>
              <RelativeTime date={key.lastUsedAt} fallback="Never" />
              {(key.lastUsedRoute || key.lastUsedIp) && (
                <span className="last-request" data-testid="last-request">
                  {key.lastUsedRoute && <code>{key.lastUsedRoute}</code>}
                  {key.lastUsedIp && (
                    <span className="subtle">
                      {key.lastUsedRoute ? ' from ' : 'From '}
                      <span className="mono">{key.lastUsedIp}</span>
                    </span>
                  )}
                </span>
              )}
            </dd>
          </div>
          <div>
            <dt>Expires</dt>
            <dd>
              {key.expiresAt ? (
                <time dateTime={key.expiresAt} title={formatExact(key.expiresAt)}>
                  {formatDateTime(key.expiresAt)}
                </time>
              ) : (
                <span className="muted">Never</span>
              )}
            </dd>
          </div>
          <div>
            <dt>IP allow-list</dt>
            <dd>
              {key.ipAllowlist && key.ipAllowlist.length > 0 ? (
                <ul className="plain-list mono">
                  {key.ipAllowlist.map((c) => (
                    <li key={c}>{c}</li>
                  ))}
                </ul>
              ) : (
                <span className="muted">Any address</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Rate limit</dt>
            <dd>{key.rateLimit} requests / second</dd>
          </div>
          {key.previousSecretValidUntil && (
            <div data-testid="previous-secret">
              <dt>Previous secret</dt>
              <dd>
                Works until{' '}
                <time dateTime={key.previousSecretValidUntil} title={formatExact(key.previousSecretValidUntil)}>
                  {formatDateTime(key.previousSecretValidUntil)}
                </time>{' '}
                <span className="subtle">
                  (<RelativeTime date={key.previousSecretValidUntil} srExact={false} />)
                </span>
              </dd>
            </div>
          )}
        </dl>
      </section>

      <UsageSection id={key.id} />
      <AuditTrail id={key.id} />
    </div>
  );
}

function BackLink() {
  return (
    <Link to="/keys" className="back-link">
      <ArrowLeftIcon />
      <span>API keys</span>
    </Link>
  );
}

function UsageSection({ id }: { id: string }) {
  const [res, refetch] = useQuery({ query: ApiKeyUsageQuery, variables: { id, days: 30 } });
  const points = res.data?.apiKeyUsage ?? [];
  const total = points.reduce((s, p) => s + p.count, 0);
  const peak = points.reduce((m, p) => Math.max(m, p.count), 0);
  return (
    <section className="card" aria-labelledby="usage-title">
      <div className="card-header">
        <h2 id="usage-title" className="card-title">
          Requests, last 30 days
        </h2>
        {res.data && (
          <p className="card-stat">
            <strong>{total.toLocaleString()}</strong> total · peak {peak.toLocaleString()} / day
          </p>
        )}
      </div>
      {res.error && !res.data ? (
        <LoadError message="Could not load usage." error={res.error} refetch={refetch} />
      ) : !res.data ? (
        <div className="chart-placeholder skeleton" role="status" aria-label="Loading usage" />
      ) : (
        <>
          <Suspense fallback={<div className="chart-placeholder skeleton" />}>
            <UsageChart points={points} />
          </Suspense>
          <table className="sr-only">
            <caption>Requests per day</caption>
            <thead>
              <tr>
                <th scope="col">Day (UTC)</th>
                <th scope="col">Requests</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.day}>
                  <td>{p.day}</td>
                  <td>{p.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {total === 0 && <p className="muted small chart-note">No requests with this key in the last 30 days.</p>}
        </>
      )}
    </section>
  );
}

function AuditTrail({ id }: { id: string }) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  return (
    <section className="card" aria-labelledby="audit-title">
      <div className="card-header">
        <h2 id="audit-title" className="card-title">
          Audit trail
        </h2>
        <Link to={`/security-log?key=${encodeURIComponent(id)}`} className="small">
          Open in the security log
        </Link>
      </div>
      <ol className="audit-list">
        {pages.map((after, i) => (
          <AuditPage
            key={after ?? 'first'}
            id={id}
            after={after}
            isLast={i === pages.length - 1}
            onMore={(cursor) => setPages((p) => [...p, cursor])}
          />
        ))}
      </ol>
    </section>
  );
}

function AuditPage({ id, after, isLast, onMore }: { id: string; after: string | null; isLast: boolean; onMore: (c: string) => void }) {
  const variables = useMemo(() => ({ apiKeyID: id, first: 25, after }), [id, after]);
  const [res, refetch] = useQuery({ query: AuditEventsQuery, variables, context: ctx });
  const conn = res.data?.auditEvents;
  if (res.error && !conn) {
    return (
      <li className="callout callout-error" role="alert">
        Could not load the audit trail. {errorMessage(res.error)}{' '}
        <button type="button" className="button button-secondary button-sm" onClick={() => refetch({ requestPolicy: 'network-only' })}>
          Try again
        </button>
      </li>
    );
  }
  if (!conn) {
    return (
      <li className="audit-item" aria-busy="true">
        <span className="skeleton" />
      </li>
    );
  }
  const events = (conn.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  return (
    <>
      {events.length === 0 && after === null && <li className="muted">No events yet.</li>}
      {events.map((ev) => (
        <li key={ev.id} className="audit-item" data-testid="audit-event">
          <span className={`audit-dot tone-${actionTone(ev.action)}`} aria-hidden="true" />
          <div className="audit-main">
            <p>
              <strong>{actionLabel(ev.action)}</strong>
              {ev.detail && <span className="audit-detail"> — {ev.detail}</span>}
            </p>
            <p className="subtle small">
              {ev.actor || 'system'} · {ev.clientIP || 'unknown IP'} ·{' '}
              <RelativeTime date={ev.createdAt} />
            </p>
          </div>
        </li>
      ))}
      {isLast && conn.pageInfo.hasNextPage && conn.pageInfo.endCursor && (
        <li className="audit-more">
          <button type="button" className="button button-secondary button-sm" onClick={() => onMore(conn.pageInfo.endCursor!)}>
            Show older events
          </button>
        </li>
      )}
    </>
  );
}
