import { useId, useMemo, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { ConfirmDialog } from './ConfirmDialog';
import { Dialog, DialogDoneFooter, DialogFormFooter } from './Dialog';
import { FormError } from './Field';
import { SecretOnce } from './SecretOnce';
import { KeyFormDialog } from './KeyFormDialog';
import { EditIcon, RollIcon, TrashIcon } from './icons';
import { useToast } from './Toast';
import { DeleteApiKeyMutation, RollApiKeyMutation, SetApiKeyActiveMutation } from '../graphql/operations';
import type { ApiKeyFieldsFragment } from '../gql/graphql';
import { errorMessage } from '../lib/errors';
import { formatDateTime, formatRelative } from '../lib/time';
import { useCan } from '../me';

type Key = ApiKeyFieldsFragment;

const apiKeyContext = { additionalTypenames: ['ApiKey'] };

/**
 * Activate / Deactivate. The mutation returns the key, so every list showing it refreshes at once. `compact` (the
 * key list) draws it as a switch that shows the key's state; its name says what a click does. While the request
 * runs the button is aria-disabled, not disabled, so keyboard focus stays on it.
 */
export function ActiveToggle({ apiKey, compact = false }: { apiKey: Key; compact?: boolean }) {
  const [state, setActive] = useMutation(SetApiKeyActiveMutation);
  const toast = useToast();
  const active = apiKey.status === 'ACTIVE';
  const expired = apiKey.status === 'EXPIRED';
  const verb = active ? 'Deactivate' : 'Activate';
  const busy = state.fetching;
  async function toggle() {
    if (busy) return;
    const res = await setActive({ id: apiKey.id, active: !active }, apiKeyContext);
    if (res.error) toast(`Could not ${verb.toLowerCase()} “${apiKey.name}”: ${errorMessage(res.error, 'API key')}`, 'error');
    else
      toast(
        active
          ? `“${apiKey.name}” deactivated. Requests with it are refused now.`
          : `“${apiKey.name}” activated.`,
      );
  }
  const common = {
    type: 'button' as const,
    onClick: toggle,
    disabled: expired,
    'aria-disabled': busy || undefined,
    'aria-label': `${verb} key ${apiKey.name}`,
    title: expired ? 'This key has expired. Edit its expiration to use it again.' : `${verb} this key`,
  };
  if (compact) {
    return (
      <button {...common} className={`icon-button switch-button${active ? ' on' : ''}${busy ? ' busy' : ''}`}>
        <span className="switch" aria-hidden="true" />
      </button>
    );
  }
  return (
    <button {...common} className={`button button-sm ${active ? 'button-secondary' : 'button-outline-primary'} toggle-button`}>
      {busy ? (active ? 'Deactivating…' : 'Activating…') : verb}
    </button>
  );
}

const GRACE_OPTIONS = [
  { seconds: 0, label: 'Now', hint: 'The old key stops working immediately.' },
  { seconds: 3600, label: '1 hour', hint: 'Both keys work for the next hour.' },
  { seconds: 86400, label: '24 hours', hint: 'Both keys work until this time tomorrow.' },
  { seconds: 604800, label: '7 days', hint: 'Both keys work for a week.' },
];

export function RollDialog({ apiKey, onClose }: { apiKey: Key; onClose: () => void }) {
  const uid = useId();
  const [grace, setGrace] = useState(3600);
  const [result, setResult] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [validUntil, setValidUntil] = useState<string | null>(null);
  const [state, roll] = useMutation(RollApiKeyMutation);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    const res = await roll({ id: apiKey.id, oldSecretValidFor: grace });
    if (res.data?.rollApiKey) {
      setResult(res.data.rollApiKey.secret);
      setValidUntil(res.data.rollApiKey.apiKey.previousSecretValidUntil ?? null);
    } else setError(errorMessage(res.error, 'API key') ?? 'Could not roll the key.');
  }

  if (result) {
    return (
      <Dialog title={`New key for “${apiKey.name}”`} onClose={onClose}>
        <SecretOnce secret={result} name={apiKey.name} />
        <p className="muted small" data-testid="previous-secret-note">
          {validUntil
            ? `The previous key keeps working until ${formatDateTime(validUntil)} (${formatRelative(validUntil)}).`
            : 'The previous key no longer works.'}
        </p>
        <DialogDoneFooter onDone={onClose} />
      </Dialog>
    );
  }

  return (
    <Dialog
      title={`Roll API key “${apiKey.name}”`}
      description="Rolling issues a new secret with the same name and permissions. Update your services with the new key before the old one stops working."
      onClose={onClose}
    >
      <form onSubmit={onSubmit} className="form">
        <FormError message={error} />
        <fieldset className="field">
          <legend className="field-label">Keep the old key working for</legend>
          <div className="radio-cards">
            {GRACE_OPTIONS.map((o) => (
              <label key={o.seconds} className={`radio-card${grace === o.seconds ? ' checked' : ''}`}>
                <input
                  type="radio"
                  name={`${uid}-grace`}
                  value={o.seconds}
                  checked={grace === o.seconds}
                  onChange={() => setGrace(o.seconds)}
                  aria-labelledby={`${uid}-label-${o.seconds}`}
                  aria-describedby={`${uid}-hint-${o.seconds}`}
                />
                <span id={`${uid}-label-${o.seconds}`} className="radio-card-label">
                  {o.label}
                </span>
                <span id={`${uid}-hint-${o.seconds}`} className="radio-card-hint">
                  {o.hint}
                </span>
              </label>
            ))}
          </div>
          {apiKey.expiresAt && (
            <p className="field-hint">Never past the key’s own expiration, {formatDateTime(apiKey.expiresAt)}.</p>
          )}
        </fieldset>
        <DialogFormFooter onCancel={onClose} busy={state.fetching} submitLabel="Roll key" busyLabel="Rolling…" />
      </form>
    </Dialog>
  );
}

export function DeleteDialog({ apiKey, onClose, onDeleted }: { apiKey: Key; onClose: () => void; onDeleted?: () => void }) {
  const [state, del] = useMutation(DeleteApiKeyMutation);
  const toast = useToast();
  return (
    <ConfirmDialog
      title={`Delete API key “${apiKey.name}”?`}
      confirmLabel="Delete key"
      busyLabel="Deleting…"
      busy={state.fetching}
      thing="API key"
      removes
      onConfirm={() => del({ id: apiKey.id }, apiKeyContext)}
      onDone={() => {
        toast(`“${apiKey.name}” deleted.`);
        onClose();
        onDeleted?.();
      }}
      onClose={onClose}
    >
      Services using <strong>{apiKey.name}</strong> (<code>{apiKey.maskedKey}</code>) will stop working immediately.
      This cannot be undone. The key’s audit trail is kept.
    </ConfirmDialog>
  );
}

type Open = null | 'edit' | 'roll' | 'delete';

/**
 * The actions for one key: toggle, Edit, Roll, Delete, with their dialogs. In the key list (no `labels`) they are
 * icon buttons with accessible names, so the list fits a 1280-pixel screen; the detail page labels them.
 */
export function KeyActions({ apiKey, onDeleted, labels = false }: { apiKey: Key; onDeleted?: () => void; labels?: boolean }) {
  const [open, setOpen] = useState<Open>(null);
  const close = useMemo(() => () => setOpen(null), []);
  const toast = useToast();
  const can = useCan();
  // Viewers get no key actions at all; the pages say why.
  if (!can.manageKeys) return null;
  return (
    <div className="key-actions">
      <ActiveToggle apiKey={apiKey} compact={!labels} />
      <button
        type="button"
        className={labels ? 'button button-secondary button-sm' : 'icon-button'}
        aria-label={`Edit key ${apiKey.name}`}
        title="Edit"
        onClick={() => setOpen('edit')}
      >
        <EditIcon />
        {labels && <span>Edit</span>}
      </button>
      <button
        type="button"
        className={labels ? 'button button-secondary button-sm' : 'icon-button'}
        aria-label={`Roll key ${apiKey.name}`}
        title="Roll (rotate) the secret"
        onClick={() => setOpen('roll')}
      >
        <RollIcon />
        {labels && <span>Roll</span>}
      </button>
      <button
        type="button"
        className={labels ? 'button button-danger-ghost button-sm' : 'icon-button icon-button-danger'}
        aria-label={`Delete key ${apiKey.name}`}
        title="Delete"
        onClick={() => setOpen('delete')}
      >
        <TrashIcon />
        {labels && <span>Delete</span>}
      </button>
      {open === 'edit' && <KeyFormDialog apiKey={apiKey} onClose={close} onSaved={(k) => toast(`“${k.name}” saved.`)} />}
      {open === 'roll' && <RollDialog apiKey={apiKey} onClose={close} />}
      {open === 'delete' && <DeleteDialog apiKey={apiKey} onClose={close} onDeleted={onDeleted} />}
    </div>
  );
}
