import { useId, useMemo, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { Dialog, DialogDoneFooter, DialogFormFooter } from './Dialog';
import { FieldError, FormError, TextField } from './Field';
import { SecretOnce } from './SecretOnce';
import { CreateApiKeyMutation, PermissionsQuery, UpdateApiKeyMutation } from '../graphql/operations';
import type { ApiKeyFieldsFragment, PermissionKey } from '../gql/graphql';
import { errorMessage, splitFieldErrors } from '../lib/errors';
import { formatDateTime, fromDateTimeLocal, toDateTimeLocal } from '../lib/time';

export type FieldErrors = Partial<Record<'name' | 'permissions' | 'expiresAt' | 'ipAllowlist' | 'rateLimit', string>>;

export interface KeyFormValues {
  name: string;
  permissions: PermissionKey[];
  expiry: ExpiryPreset;
  expiresAtLocal: string;
  ipAllowlist: string;
  /** Requests per second as typed; empty = the server default (create) or unchanged (edit). */
  rateLimit: string;
  /** Edit only: return the key to the server's default rate limit (sends 0). */
  rateLimitDefault: boolean;
}

export const RATE_LIMIT_MAX = 10_000;

/** The longest key name, in characters (code points) as the server counts them, not UTF-16 units. */
export const NAME_MAX = 100;

type ExpiryPreset = 'never' | '7' | '30' | '90' | '365' | 'custom';

const EXPIRY_OPTIONS: { value: ExpiryPreset; label: string }[] = [
  { value: 'never', label: 'No expiration' },
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'custom', label: 'Custom date…' },
];

const IP_OR_CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}(?:\/\d{1,2})?|[0-9a-fA-F:]*:[0-9a-fA-F:.]*(?:\/\d{1,3})?)$/;

export function parseAllowlist(text: string): string[] {
  return text
    .split(/[\n,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The expiry as RFC 3339, null for none, or undefined when a custom value is missing. */
export function expiryToISO(values: Pick<KeyFormValues, 'expiry' | 'expiresAtLocal'>, now = new Date()): string | null | undefined {
  if (values.expiry === 'never') return null;
  if (values.expiry === 'custom') return fromDateTimeLocal(values.expiresAtLocal) ?? undefined;
  return new Date(now.getTime() + Number(values.expiry) * 86_400_000).toISOString();
}

/**
 * Checks done before the server sees the form; the server checks again and its errors show at the same fields.
 * When editing, pass the key's current expiry as `currentExpiresAt`: the expiry is then only checked when the
 * admin changed it, so an expired key (or one expiring this minute) can still be renamed or re-permissioned.
 */
export function validateKeyForm(
  values: KeyFormValues,
  now = new Date(),
  currentExpiresAt?: string | null,
): FieldErrors {
  const errors: FieldErrors = {};
  const name = values.name.trim();
  if (!name) errors.name = 'Enter a name for the key.';
  else if ([...name].length > NAME_MAX) errors.name = `Use at most ${NAME_MAX} characters.`;
  if (values.permissions.length === 0) errors.permissions = 'Choose at least one permission.';
  const checkExpiry = currentExpiresAt === undefined || expiryChanged(currentExpiresAt, values);
  if (checkExpiry && values.expiry === 'custom') {
    const iso = fromDateTimeLocal(values.expiresAtLocal);
    if (!iso) errors.expiresAt = 'Choose a date and time, or pick “No expiration”.';
    else if (new Date(iso).getTime() <= now.getTime()) errors.expiresAt = 'Choose a time in the future.';
  }
  const bad = parseAllowlist(values.ipAllowlist).filter((s) => !IP_OR_CIDR.test(s));
  if (bad.length > 0) {
    errors.ipAllowlist = `Not an IP address or CIDR range: ${bad.join(', ')}`;
  }
  const rate = values.rateLimit.trim();
  if (!values.rateLimitDefault && rate !== '') {
    const n = Number(rate);
    if (!Number.isInteger(n) || n < 1 || n > RATE_LIMIT_MAX)
      errors.rateLimit = `Enter a whole number from 1 to ${RATE_LIMIT_MAX.toLocaleString('en-US')}, or leave it empty.`;
  }
  return errors;
}

/** The rateLimit to send: a number when filled, 0 for “use the server default”, undefined to leave it out. */
export function rateLimitToSend(values: Pick<KeyFormValues, 'rateLimit' | 'rateLimitDefault'>): number | undefined {
  if (values.rateLimitDefault) return 0;
  const rate = values.rateLimit.trim();
  return rate === '' ? undefined : Number(rate);
}

function initialValues(key?: ApiKeyFieldsFragment): KeyFormValues {
  return {
    name: key?.name ?? '',
    permissions: key?.permissions.map((p) => p.key) ?? [],
    expiry: key?.expiresAt ? 'custom' : 'never',
    expiresAtLocal: toDateTimeLocal(key?.expiresAt),
    ipAllowlist: (key?.ipAllowlist ?? []).join('\n'),
    rateLimit: '',
    rateLimitDefault: false,
  };
}

const FIELD_ORDER: (keyof FieldErrors)[] = ['name', 'permissions', 'expiresAt', 'ipAllowlist', 'rateLimit'];

export interface KeyFormDialogProps {
  /** Present when editing; absent when creating. */
  apiKey?: ApiKeyFieldsFragment;
  onClose: () => void;
  onSaved?: (key: ApiKeyFieldsFragment) => void;
}

export function KeyFormDialog({ apiKey, onClose, onSaved }: KeyFormDialogProps) {
  const editing = !!apiKey;
  const uid = useId();
  const id = (s: string) => `${uid}-${s}`;
  const [values, setValues] = useState<KeyFormValues>(() => initialValues(apiKey));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [created, setCreated] = useState<{ secret: string; name: string } | null>(null);
  const formRef = useRef<HTMLFormElement>(null);

  const [perms] = useQuery({ query: PermissionsQuery, requestPolicy: 'cache-first' });
  const [createState, create] = useMutation(CreateApiKeyMutation);
  const [updateState, update] = useMutation(UpdateApiKeyMutation);
  const busy = createState.fetching || updateState.fetching;

  const permissions = perms.data?.permissions ?? [];
  const sortedPermissions = useMemo(() => permissions, [permissions]);

  function set<K extends keyof KeyFormValues>(k: K, v: KeyFormValues[K]) {
    setValues((old) => ({ ...old, [k]: v }));
    const errKey = k === 'expiresAtLocal' || k === 'expiry' ? 'expiresAt' : k === 'rateLimitDefault' ? 'rateLimit' : k;
    if (errors[errKey as keyof FieldErrors]) setErrors((e) => ({ ...e, [errKey]: undefined }));
  }

  function focusFirstError(errs: FieldErrors) {
    const first = FIELD_ORDER.find((f) => errs[f]);
    if (!first || !formRef.current) return;
    const el = formRef.current.querySelector<HTMLElement>(`[data-field="${first}"]`);
    el?.focus();
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const errs = validateKeyForm(values, new Date(), editing ? apiKey.expiresAt : undefined);
    if (Object.values(errs).some(Boolean)) {
      setErrors(errs);
      focusFirstError(errs);
      return;
    }
    const name = values.name.trim();
    const expiresAt = expiryToISO(values) ?? null;
    const ipAllowlist = parseAllowlist(values.ipAllowlist);
    const rateLimit = rateLimitToSend(values);
    const result = editing
      ? await update({
          id: apiKey.id,
          input: {
            ...(name !== apiKey.name ? { name } : {}),
            ...(!sameSet(values.permissions, apiKey.permissions.map((p) => p.key)) ? { permissions: values.permissions } : {}),
            ...(expiryChanged(apiKey.expiresAt, values) ? { expiresAt } : {}),
            ...(!sameList(ipAllowlist, apiKey.ipAllowlist ?? []) ? { ipAllowlist } : {}),
            ...(rateLimit !== undefined ? { rateLimit } : {}),
          },
        })
      : await create({
          input: {
            name,
            permissions: values.permissions,
            expiresAt,
            ipAllowlist: ipAllowlist.length ? ipAllowlist : null,
            ...(rateLimit !== undefined ? { rateLimit } : {}),
          },
        });
    if (result.error) {
      const { fields, general: rest } = splitFieldErrors(result.error, 'API key');
      const known: FieldErrors = {};
      for (const [f, msg] of Object.entries(fields)) {
        if ((FIELD_ORDER as string[]).includes(f)) known[f as keyof FieldErrors] = msg;
        else rest.push(msg);
      }
      setErrors(known);
      setGeneral(rest.length ? rest.join(' ') : Object.keys(known).length ? null : errorMessage(result.error, 'API key'));
      focusFirstError(known);
      return;
    }
    if (result.data && 'createApiKey' in result.data) {
      setCreated({ secret: result.data.createApiKey.secret, name: result.data.createApiKey.apiKey.name });
      onSaved?.(result.data.createApiKey.apiKey);
    } else if (result.data && 'updateApiKey' in result.data) {
      onSaved?.(result.data.updateApiKey);
      onClose();
    }
  }

  if (created) {
    return (
      <Dialog title="API key created" onClose={onClose} size="md">
        <SecretOnce secret={created.secret} name={created.name} />
        <DialogDoneFooter onDone={onClose} />
      </Dialog>
    );
  }

  const describedBy = (f: keyof FieldErrors, hint?: string) =>
    [hint, errors[f] ? id(`${f}-error`) : undefined].filter(Boolean).join(' ') || undefined;

  return (
    <Dialog
      title={editing ? `Edit “${apiKey.name}”` : 'Create New API Key'}
      description={
        editing
          ? 'Changes apply to the key right away; the secret stays the same.'
          : 'Give the key a name you will recognise and only the permissions it needs.'
      }
      onClose={onClose}
      size="lg"
    >
      <form ref={formRef} onSubmit={onSubmit} noValidate className="form">
        <FormError message={general} />
        <TextField
          id={id('name')}
          label="Key Name"
          hint="A name such as “Production Email API” that tells which service uses the key."
          error={errors.name}
          data-field="name"
          placeholder="e.g. Production Email API"
          value={values.name}
          onChange={(e) => set('name', e.target.value)}
          // maxLength counts UTF-16 units, two for an emoji: twice the limit lets NAME_MAX of any character in
          // (and stops a runaway paste); validateKeyForm counts characters.
          maxLength={NAME_MAX * 2}
          autoComplete="off"
          required
        />

        <fieldset
          className="field"
          aria-describedby={errors.permissions ? id('permissions-error') : undefined}
          aria-invalid={!!errors.permissions}
        >
          <legend className="field-label">Permissions</legend>
          {perms.fetching && !perms.data && <p className="muted">Loading permissions…</p>}
          {perms.error && !perms.data && (
            <p className="field-error" role="alert">
              Could not load permissions. {errorMessage(perms.error)}
            </p>
          )}
          <div className="permission-list">
            {sortedPermissions.map((p, i) => {
              const checked = values.permissions.includes(p.key);
              return (
                <label key={p.key} className={`permission-option${checked ? ' checked' : ''}`}>
                  <input
                    type="checkbox"
                    data-field={i === 0 ? 'permissions' : undefined}
                    checked={checked}
                    onChange={(e) =>
                      set(
                        'permissions',
                        e.target.checked
                          ? permissions.filter((x) => x.key === p.key || values.permissions.includes(x.key)).map((x) => x.key)
                          : values.permissions.filter((k) => k !== p.key),
                      )
                    }
                    aria-labelledby={id(`perm-name-${p.key}`)}
                    aria-describedby={id(`perm-${p.key}`)}
                  />
                  <span className="permission-text">
                    <span id={id(`perm-name-${p.key}`)} className="permission-name">
                      {p.name}
                    </span>
                    <span id={id(`perm-${p.key}`)} className="permission-description">
                      {p.description}
                    </span>
                  </span>
                  <code className="permission-scope" aria-hidden="true">
                    {p.scope}
                  </code>
                </label>
              );
            })}
          </div>
          <FieldError id={id('permissions-error')} message={errors.permissions} />
        </fieldset>

        <div className="field-row">
          <div className="field">
            <label className="field-label" htmlFor={id('expiry')}>
              Expiration <span className="optional">optional</span>
            </label>
            <select
              id={id('expiry')}
              className="input"
              value={values.expiry}
              data-field={values.expiry === 'custom' ? undefined : 'expiresAt'}
              onChange={(e) => set('expiry', e.target.value as ExpiryPreset)}
              aria-describedby={values.expiry !== 'custom' ? describedBy('expiresAt', id('expiry-hint')) : id('expiry-hint')}
            >
              {EXPIRY_OPTIONS.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
            <p id={id('expiry-hint')} className="field-hint">
              {editing && apiKey.expiresAt
                ? `Currently expires ${formatDateTime(apiKey.expiresAt)}.`
                : 'After this moment the key stops working.'}
            </p>
          </div>
          {values.expiry === 'custom' && (
            <div className="field">
              <label className="field-label" htmlFor={id('expiresAt')}>
                Expires at
              </label>
              <input
                id={id('expiresAt')}
                data-field="expiresAt"
                type="datetime-local"
                className="input"
                value={values.expiresAtLocal}
                onChange={(e) => set('expiresAtLocal', e.target.value)}
                aria-invalid={!!errors.expiresAt}
                aria-describedby={describedBy('expiresAt')}
              />
            </div>
          )}
        </div>
        <FieldError id={id('expiresAt-error')} message={errors.expiresAt} className="field-error-standalone" />

        <div className="field">
          <label className="field-label" htmlFor={id('ipAllowlist')}>
            IP allow-list <span className="optional">optional</span>
          </label>
          <textarea
            id={id('ipAllowlist')}
            data-field="ipAllowlist"
            className="input input-mono"
            rows={3}
            placeholder={'203.0.113.0/24\n2001:db8::/32'}
            value={values.ipAllowlist}
            onChange={(e) => set('ipAllowlist', e.target.value)}
            aria-invalid={!!errors.ipAllowlist}
            aria-describedby={describedBy('ipAllowlist', id('ip-hint'))}
            spellCheck={false}
          />
          <p id={id('ip-hint')} className="field-hint">
            One IP address or CIDR range per line. Leave empty to allow requests from anywhere.
          </p>
          <FieldError id={id('ipAllowlist-error')} message={errors.ipAllowlist} />
        </div>

        <div className="field">
          <label className="field-label" htmlFor={id('rateLimit')}>
            Rate limit <span className="optional">optional</span>
          </label>
          <input
            id={id('rateLimit')}
            data-field="rateLimit"
            type="number"
            inputMode="numeric"
            min={1}
            max={RATE_LIMIT_MAX}
            step={1}
            className="input rate-limit-input"
            placeholder={values.rateLimitDefault ? 'Server default' : editing ? 'Unchanged' : 'Server default'}
            value={values.rateLimitDefault ? '' : values.rateLimit}
            onChange={(e) => set('rateLimit', e.target.value)}
            disabled={values.rateLimitDefault}
            aria-invalid={!!errors.rateLimit}
            aria-describedby={describedBy('rateLimit', id('rateLimit-hint'))}
          />
          <p id={id('rateLimit-hint')} className="field-hint">
            {editing
              ? `Requests per second on the REST API, 1 to ${RATE_LIMIT_MAX.toLocaleString('en-US')}. Currently ${apiKey.rateLimit.toLocaleString('en-US')} per second; leave empty to keep it.`
              : `Requests per second on the REST API, 1 to ${RATE_LIMIT_MAX.toLocaleString('en-US')}. Leave empty to use the server default.`}
          </p>
          {editing && (
            <label className="inline-check">
              <input
                type="checkbox"
                checked={values.rateLimitDefault}
                onChange={(e) => set('rateLimitDefault', e.target.checked)}
              />
              Use the server default
            </label>
          )}
          <FieldError id={id('rateLimit-error')} message={errors.rateLimit} />
        </div>

        <DialogFormFooter
          onCancel={onClose}
          busy={busy}
          submitLabel={editing ? 'Save changes' : 'Create API Key'}
          busyLabel={editing ? 'Saving…' : 'Creating…'}
        />
      </form>
    </Dialog>
  );
}

function sameSet(a: string[], b: string[]) {
  return a.length === b.length && a.every((x) => b.includes(x));
}
function sameList(a: string[], b: string[]) {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
/** Whether the form's expiry differs from the key's current one (`current`); only then is it checked and sent. */
export function expiryChanged(current: string | null, values: Pick<KeyFormValues, 'expiry' | 'expiresAtLocal'>) {
  if (values.expiry === 'never') return current !== null;
  if (values.expiry !== 'custom') return true;
  return values.expiresAtLocal !== toDateTimeLocal(current);
}
