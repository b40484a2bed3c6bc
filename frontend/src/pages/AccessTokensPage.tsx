import { useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { AccessTokensQuery, CreateAccessTokenMutation, RevokeAccessTokenMutation } from '../graphql/operations';
import type { AccessScope, AccessTokenFieldsFragment } from '../gql/graphql';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { Dialog, DialogDoneFooter, DialogFormFooter } from '../components/Dialog';
import { FieldError, FormError, TextField } from '../components/Field';
import { LoadError } from '../components/LoadError';
import { SecretOnce } from '../components/SecretOnce';
import { SkeletonRows } from '../components/SkeletonRows';
import { RelativeTime } from '../components/RelativeTime';
import { useToast } from '../components/Toast';
import { PlusIcon, TokenIcon, TrashIcon } from '../components/icons';
import { useCan, useMe } from '../me';
import { SCOPES, SCOPE_DESCRIPTION, SCOPE_LABEL, WHY } from '../lib/roles';
import { errorMessage, splitFieldErrors } from '../lib/errors';
import { formatDate, formatDateTime, formatExact } from '../lib/time';

type Token = AccessTokenFieldsFragment;

const ctx = { additionalTypenames: ['AccessToken'] };

export const EXPIRY_PRESETS = [7, 30, 90, 365] as const;
export type ExpiryDays = (typeof EXPIRY_PRESETS)[number];

export interface TokenForm {
  name: string;
  scopes: AccessScope[];
  days: ExpiryDays;
}

export type TokenErrors = Partial<Record<'name' | 'scopes' | 'expiresAt', string>>;

export function validateToken(f: TokenForm, allowed: AccessScope[]): TokenErrors {
  const errors: TokenErrors = {};
  const name = f.name.trim();
  if (!name) errors.name = 'Enter a name that says which script or service uses the token.';
  else if ([...name].length > 100) errors.name = 'Use at most 100 characters.';
  if (f.scopes.length === 0) errors.scopes = 'Choose at least one scope.';
  else if (f.scopes.some((s) => !allowed.includes(s))) errors.scopes = 'Your role does not allow one of these scopes.';
  return errors;
}

/** The expiry for a preset, as RFC 3339. */
export function expiryFor(days: number, now = new Date()): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString();
}

function expired(t: Token, now = Date.now()) {
  return new Date(t.expiresAt).getTime() <= now;
}

export function AccessTokensPage() {
  const can = useCan();
  const me = useMe();
  const [res, refetch] = useQuery({ query: AccessTokensQuery, context: ctx });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<Token | null>(null);
  const tokens = res.data?.accessTokens ?? [];
  const showAdmin = can.allTokens;
  const columns = showAdmin ? 8 : 7;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Access tokens</h1>
          <p className="page-subtitle">
            Tokens let scripts and CI use the GraphQL API without a password: send{' '}
            <code>Authorization: Bearer btm_…</code> to <code>/graphql</code>. A token acts for you, never beyond your
            role, and expires.
            {showAdmin ? ' As an owner you see every admin’s tokens.' : ''}
          </p>
        </div>
        <button type="button" className="button button-primary" onClick={() => setCreating(true)}>
          <PlusIcon />
          <span>Create token</span>
        </button>
      </header>

      {res.data && tokens.length === 0 ? (
        <section className="empty-state card" aria-labelledby="tokens-empty">
          <div className="empty-icon" aria-hidden="true">
            <TokenIcon width={28} height={28} />
          </div>
          <h2 id="tokens-empty">No access tokens</h2>
          <p>Create one for each script or service that manages keys, with only the scopes it needs.</p>
        </section>
      ) : (
        <section className="card table-card" aria-label="Access tokens">
          {res.error && !res.data ? (
            <LoadError message="Could not load access tokens." error={res.error} refetch={refetch} className="table-message" />
          ) : (
            <div className="table-wrap" aria-busy={res.fetching}>
              <table className="table">
                <caption className="sr-only">Access tokens</caption>
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Token</th>
                    <th scope="col">Scopes</th>
                    {showAdmin && <th scope="col">Admin</th>}
                    <th scope="col">Created</th>
                    <th scope="col">Last used</th>
                    <th scope="col">Expires</th>
                    <th scope="col" className="col-actions">
                      Actions
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {!res.data && <SkeletonRows rows={3} columns={columns} />}
                  {tokens.map((t) => (
                    <tr key={t.id} data-testid="token-row" data-token-id={t.id}>
                      <th scope="row" className="col-name">
                        <span className="key-name-link">{t.name}</span>
                      </th>
                      <td>
                        <code className="key-text">{t.maskedToken}</code>
                      </td>
                      <td>
                        <ul className="chips" aria-label={`Scopes of ${t.name}`}>
                          {t.scopes.map((s) => (
                            <li key={s} className="chip" title={SCOPE_DESCRIPTION[s]}>
                              {SCOPE_LABEL[s] ?? s}
                            </li>
                          ))}
                        </ul>
                      </td>
                      {showAdmin && (
                        <td className="small">
                          {t.admin.email}
                          {t.admin.id === me?.id && <span className="subtle"> (you)</span>}
                        </td>
                      )}
                      <td className="nowrap">
                        <time dateTime={t.createdAt} title={formatExact(t.createdAt)}>
                          {formatDate(t.createdAt)}
                        </time>
                      </td>
                      <td className="nowrap">
                        <RelativeTime date={t.lastUsedAt} fallback="Never" />
                      </td>
                      <td className="nowrap">
                        {expired(t) ? (
                          <span className="badge badge-expired" title={formatExact(t.expiresAt)}>
                            <span className="badge-dot" aria-hidden="true" />
                            Expired
                          </span>
                        ) : (
                          <time dateTime={t.expiresAt} title={formatExact(t.expiresAt)} className="stacked-time">
                            <span>{formatDate(t.expiresAt)}</span>
                            <span className="subtle small">
                              <RelativeTime date={t.expiresAt} srExact={false} />
                            </span>
                          </time>
                        )}
                      </td>
                      <td className="col-actions">
                        <button
                          type="button"
                          className="icon-button icon-button-danger"
                          aria-label={`Revoke token ${t.name}`}
                          title="Revoke"
                          onClick={() => setRevoking(t)}
                        >
                          <TrashIcon />
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {!res.data && !res.error && (
                <p className="sr-only" role="status">
                  Loading access tokens…
                </p>
              )}
            </div>
          )}
        </section>
      )}

      {creating && <CreateTokenDialog allowed={can.tokenScopes} role={can.role} onClose={() => setCreating(false)} />}
      {revoking && <RevokeDialog token={revoking} onClose={() => setRevoking(null)} />}
    </div>
  );
}

function CreateTokenDialog({ allowed, role, onClose }: { allowed: AccessScope[]; role: Parameters<typeof WHY.scope>[0]; onClose: () => void }) {
  const uid = useId();
  const id = (s: string) => `${uid}-${s}`;
  const [form, setForm] = useState<TokenForm>({ name: '', scopes: [], days: 30 });
  const [errors, setErrors] = useState<TokenErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [created, setCreated] = useState<{ secret: string; name: string } | null>(null);
  const [state, create] = useMutation(CreateAccessTokenMutation);
  const formRef = useRef<HTMLFormElement>(null);

  function set<K extends keyof TokenForm>(k: K, v: TokenForm[K]) {
    setForm((f) => ({ ...f, [k]: v }));
    const field = k === 'days' ? 'expiresAt' : k;
    if (errors[field as keyof TokenErrors]) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function focusFirst(errs: TokenErrors) {
    const first = (['name', 'scopes', 'expiresAt'] as const).find((f) => errs[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const errs = validateToken(form, allowed);
    if (Object.keys(errs).length) {
      setErrors(errs);
      focusFirst(errs);
      return;
    }
    const res = await create({ input: { name: form.name.trim(), scopes: form.scopes, expiresAt: expiryFor(form.days) } }, ctx);
    if (res.error) {
      const { fields, general: rest } = splitFieldErrors(res.error);
      const known: TokenErrors = {};
      for (const [f, msg] of Object.entries(fields)) {
        if (f === 'name' || f === 'scopes' || f === 'expiresAt') known[f] = msg;
        else rest.push(msg);
      }
      setErrors(known);
      setGeneral(rest.length ? rest.join(' ') : Object.keys(known).length ? null : errorMessage(res.error));
      focusFirst(known);
      return;
    }
    if (res.data) setCreated({ secret: res.data.createAccessToken.secret, name: res.data.createAccessToken.accessToken.name });
  }

  if (created) {
    return (
      <Dialog title="Access token created" onClose={onClose} size="md">
        <SecretOnce
          secret={created.secret}
          name={created.name}
          what="token"
          label={`Access token “${created.name}”`}
          ifLost="If you lose it, revoke it and create a new one."
        />
        <div className="field">
          <span className="field-label">Use it like this</span>
          <pre className="code-block">
            {`curl ${window.location.origin}/graphql \\\n  -H "Authorization: Bearer $BT_ACCESS_TOKEN" \\\n  -H "Content-Type: application/json" \\\n  -d '{"query":"{ apiKeys(first: 5) { edges { node { name status } } } }"}'`}
          </pre>
        </div>
        <DialogDoneFooter onDone={onClose} />
      </Dialog>
    );
  }

  return (
    <Dialog title="Create access token" description="For one script or service. It can do only what its scopes and your role allow." onClose={onClose} size="lg">
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormError message={general} />
        <TextField
          id={id('name')}
          label="Token name"
          error={errors.name}
          data-field="name"
          placeholder="e.g. Terraform (CI)"
          value={form.name}
          onChange={(e) => set('name', e.target.value)}
          maxLength={200}
          autoComplete="off"
        />

        <fieldset className="field" aria-invalid={!!errors.scopes} aria-describedby={errors.scopes ? id('scopes-error') : undefined}>
          <legend className="field-label">Scopes</legend>
          <div className="permission-list">
            {SCOPES.map((s, i) => {
              const ok = allowed.includes(s);
              const checked = form.scopes.includes(s);
              return (
                <label key={s} className={`permission-option${checked ? ' checked' : ''}${ok ? '' : ' disabled'}`}>
                  <input
                    type="checkbox"
                    data-field={i === 0 ? 'scopes' : undefined}
                    checked={checked}
                    disabled={!ok}
                    onChange={(e) =>
                      set('scopes', e.target.checked ? SCOPES.filter((x) => x === s || form.scopes.includes(x)) : form.scopes.filter((x) => x !== s))
                    }
                    aria-labelledby={id(`scope-${s}`)}
                    aria-describedby={id(`scope-${s}-desc`)}
                  />
                  <span className="permission-text">
                    <span id={id(`scope-${s}`)} className="permission-name">
                      {SCOPE_LABEL[s]}
                    </span>
                    <span id={id(`scope-${s}-desc`)} className="permission-description">
                      {SCOPE_DESCRIPTION[s]}
                      {!ok && <> {WHY.scope(role)}</>}
                    </span>
                  </span>
                  <code className="permission-scope" aria-hidden="true">
                    {s}
                  </code>
                </label>
              );
            })}
          </div>
          <p className="field-hint">Tokens never reveal keys and never manage the team, the settings or other tokens.</p>
          <FieldError id={id('scopes-error')} message={errors.scopes} />
        </fieldset>

        <fieldset className="field" aria-describedby={errors.expiresAt ? id('expiresAt-error') : id('expiry-hint')}>
          <legend className="field-label">Expires after</legend>
          <div className="segmented">
            {EXPIRY_PRESETS.map((d, i) => (
              <label key={d} className={`segment${form.days === d ? ' checked' : ''}`}>
                <input
                  type="radio"
                  name={id('days')}
                  value={d}
                  data-field={i === 0 ? 'expiresAt' : undefined}
                  checked={form.days === d}
                  onChange={() => set('days', d)}
                />
                {d} days
              </label>
            ))}
          </div>
          <p id={id('expiry-hint')} className="field-hint">
            Expires {formatDateTime(expiryFor(form.days))}. Every token expires; create a new one before then.
          </p>
          <FieldError id={id('expiresAt-error')} message={errors.expiresAt} />
        </fieldset>

        <DialogFormFooter onCancel={onClose} busy={state.fetching} submitLabel="Create token" busyLabel="Creating…" />
      </form>
    </Dialog>
  );
}

function RevokeDialog({ token, onClose }: { token: Token; onClose: () => void }) {
  const [state, revoke] = useMutation(RevokeAccessTokenMutation);
  const toast = useToast();
  return (
    <ConfirmDialog
      title={`Revoke access token “${token.name}”?`}
      confirmLabel="Revoke token"
      busyLabel="Revoking…"
      busy={state.fetching}
      thing="access token"
      removes
      onConfirm={() => revoke({ id: token.id }, ctx)}
      onDone={() => {
        toast(`Access token “${token.name}” revoked.`);
        onClose();
      }}
      onClose={onClose}
    >
      Scripts using <strong>{token.name}</strong> (<code>{token.maskedToken}</code>) are refused from their next
      request. This cannot be undone.
    </ConfirmDialog>
  );
}
