import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { AccountSettingsQuery, UpdateAccountSettingsMutation } from '../graphql/operations';
import type { AccountSettingsFieldsFragment, LeakedKeyAction, UpdateAccountSettingsInput } from '../gql/graphql';
import { FieldError, FormError } from '../components/Field';
import { LoadError } from '../components/LoadError';
import { useToast } from '../components/Toast';
import { useCan } from '../me';
import { ROLE_LABEL, WHY } from '../lib/roles';
import { appErrors, errorMessage, splitFieldErrors } from '../lib/errors';

export const DAYS_MAX = 3650;

type Settings = AccountSettingsFieldsFragment;

/** The form as typed: day limits are text with a switch, so an empty box is not mistaken for "off". */
export interface SettingsForm {
  maxLifetimeOn: boolean;
  maxLifetime: string;
  unusedOn: boolean;
  unused: string;
  deactivateUnused: boolean;
  leakedKeyAction: LeakedKeyAction;
  notifyOnKeyChanges: boolean;
}

export type SettingsField = keyof UpdateAccountSettingsInput;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

const FIELD_ORDER: SettingsField[] = ['maxKeyLifetimeDays', 'unusedKeyDays', 'deactivateUnusedKeys', 'leakedKeyAction', 'notifyOnKeyChanges'];

export function formOf(s: Settings): SettingsForm {
  return {
    maxLifetimeOn: s.maxKeyLifetimeDays != null,
    maxLifetime: s.maxKeyLifetimeDays != null ? String(s.maxKeyLifetimeDays) : '',
    unusedOn: s.unusedKeyDays != null,
    unused: s.unusedKeyDays != null ? String(s.unusedKeyDays) : '',
    deactivateUnused: s.deactivateUnusedKeys,
    leakedKeyAction: s.leakedKeyAction,
    notifyOnKeyChanges: s.notifyOnKeyChanges,
  };
}

function days(on: boolean, text: string): number | null {
  return on ? Number(text.trim()) : null;
}

/** Each field's label in the form, for messages: the server's messages name the API field (“maxKeyLifetimeDays must…”). */
export const FIELD_LABEL: Record<SettingsField, string> = {
  maxKeyLifetimeDays: 'Maximum key lifetime (days)',
  unusedKeyDays: 'Unused for (days)',
  deactivateUnusedKeys: 'Also deactivate them',
  leakedKeyAction: 'When a key is reported leaked',
  notifyOnKeyChanges: 'Email the admins when a key is created, deleted or rolled',
};

/** A server message about `field` in the form's words: the API's field name becomes the field's label. */
export function inFormWords(field: SettingsField, message: string): string {
  return message.replace(new RegExp(`\\b${field}\\b`, 'g'), FIELD_LABEL[field]);
}

/**
 * Checks the form can be sent: a day limit that is switched on needs a whole number from 1 to DAYS_MAX, as the
 * server checks again; its answer shows at the field it names.
 */
export function validateSettings(f: SettingsForm): SettingsErrors {
  const errors: SettingsErrors = {};
  const check = (field: 'maxKeyLifetimeDays' | 'unusedKeyDays', text: string) => {
    if (!/^\s*-?\d+\s*$/.test(text)) errors[field] = 'Enter a whole number of days.';
    else if (Number(text) < 1 || Number(text) > DAYS_MAX)
      errors[field] = `${FIELD_LABEL[field]} must be from 1 to ${DAYS_MAX.toLocaleString('en-US')}.`;
  };
  if (f.maxLifetimeOn) check('maxKeyLifetimeDays', f.maxLifetime);
  if (f.unusedOn) check('unusedKeyDays', f.unused);
  return errors;
}

/** The patch for updateAccountSettings: only what changed; null clears a day limit. */
export function settingsPatch(f: SettingsForm, s: Settings): UpdateAccountSettingsInput {
  const patch: UpdateAccountSettingsInput = {};
  const max = days(f.maxLifetimeOn, f.maxLifetime);
  if (max !== (s.maxKeyLifetimeDays ?? null)) patch.maxKeyLifetimeDays = max;
  const unused = days(f.unusedOn, f.unused);
  if (unused !== (s.unusedKeyDays ?? null)) patch.unusedKeyDays = unused;
  if (f.deactivateUnused !== s.deactivateUnusedKeys) patch.deactivateUnusedKeys = f.deactivateUnused;
  if (f.leakedKeyAction !== s.leakedKeyAction) patch.leakedKeyAction = f.leakedKeyAction;
  if (f.notifyOnKeyChanges !== s.notifyOnKeyChanges) patch.notifyOnKeyChanges = f.notifyOnKeyChanges;
  return patch;
}

const LEAK_OPTIONS: { value: LeakedKeyAction; label: string; hint: string }[] = [
  { value: 'DEACTIVATE', label: 'Deactivate the key', hint: 'Requests with it are refused at once; the admins are told. Recommended.' },
  { value: 'NOTIFY', label: 'Only notify', hint: 'The key keeps working; the admins are told and decide.' },
];

export function SettingsPage() {
  const can = useCan();
  const [res, refetch] = useQuery({ query: AccountSettingsQuery });
  const settings = res.data?.accountSettings;
  const forbidden = appErrors(res.error).some((e) => e.code === 'FORBIDDEN');

  return (
    <div className="page page-narrow">
      <header className="page-header">
        <div>
          <h1 tabIndex={-1}>Settings</h1>
          <p className="page-subtitle">
            Key policies for the whole account: how long keys may live, what happens to unused and leaked keys, and
            when the admins are emailed. Every change is recorded in the security log.
          </p>
        </div>
      </header>
      {!can.editSettings && (
        <p className="callout callout-info" data-testid="read-only-note">
          {WHY.editSettings} You have the {ROLE_LABEL[can.role]} role{forbidden ? '.' : ', so these are shown read-only.'}
        </p>
      )}
      {forbidden ? null : res.error && !settings ? (
        <LoadError message="Could not load the settings." error={res.error} refetch={refetch} />
      ) : !settings ? (
        <div className="card" aria-busy="true">
          <p className="sr-only" role="status">
            Loading settings…
          </p>
          <span className="skeleton" />
        </div>
      ) : (
        <SettingsFormView settings={settings} readOnly={!can.editSettings} />
      )}
    </div>
  );
}

function SettingsFormView({ settings, readOnly }: { settings: Settings; readOnly: boolean }) {
  const uid = useId();
  const id = (s: string) => `${uid}-${s}`;
  const [form, setForm] = useState<SettingsForm>(() => formOf(settings));
  const [errors, setErrors] = useState<SettingsErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [state, save] = useMutation(UpdateAccountSettingsMutation);
  const formRef = useRef<HTMLFormElement>(null);
  const toast = useToast();

  // What the server holds as far as we know: the query's answer, or the last save's.
  const [baseline, setBaseline] = useState(settings);
  // A fresh copy from the server (a refetch, or another owner's change) replaces an untouched form.
  const seen = useRef(settings);
  useEffect(() => {
    if (seen.current === settings) return;
    seen.current = settings;
    if (Object.keys(settingsPatch(form, baseline)).length === 0) setForm(formOf(settings));
    setBaseline(settings);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [settings]);

  const patch = settingsPatch(form, baseline);
  const dirty = Object.keys(patch).length > 0;

  function set<K extends keyof SettingsForm>(k: K, v: SettingsForm[K]) {
    setForm((f) => ({ ...f, [k]: v }));
    const field: SettingsField | undefined =
      k === 'maxLifetime' || k === 'maxLifetimeOn'
        ? 'maxKeyLifetimeDays'
        : k === 'unused' || k === 'unusedOn'
          ? 'unusedKeyDays'
          : k === 'deactivateUnused'
            ? 'deactivateUnusedKeys'
            : (k as SettingsField);
    if (field && errors[field]) setErrors((e) => ({ ...e, [field]: undefined }));
  }

  function focusFirst(errs: SettingsErrors) {
    const first = FIELD_ORDER.find((f) => errs[f]);
    if (first) formRef.current?.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (readOnly || state.fetching) return;
    setGeneral(null);
    const errs = validateSettings(form);
    if (Object.keys(errs).length) {
      setErrors(errs);
      focusFirst(errs);
      return;
    }
    if (!dirty) return;
    const result = await save({ input: patch });
    if (result.error) {
      const { fields, general: rest } = splitFieldErrors(result.error);
      const known: SettingsErrors = {};
      for (const [f, msg] of Object.entries(fields)) {
        if ((FIELD_ORDER as string[]).includes(f)) known[f as SettingsField] = inFormWords(f as SettingsField, msg);
        else rest.push(msg);
      }
      setErrors(known);
      setGeneral(rest.length ? rest.join(' ') : Object.keys(known).length ? null : errorMessage(result.error));
      focusFirst(known);
      return;
    }
    if (result.data) {
      setErrors({});
      setBaseline(result.data.updateAccountSettings);
      setForm(formOf(result.data.updateAccountSettings));
      toast('Settings saved.');
    }
  }

  const describedBy = (f: SettingsField, hint: string) => [id(hint), errors[f] ? id(`${f}-error`) : undefined].filter(Boolean).join(' ');
  const fieldError = (f: SettingsField) => <FieldError id={id(`${f}-error`)} message={errors[f]} />;

  return (
    <form ref={formRef} onSubmit={onSubmit} noValidate className="settings-form" aria-label="Account settings">
      <FormError message={general} />
      <fieldset className="settings-fieldset" disabled={readOnly}>
        <section className="card settings-section" aria-labelledby={id('lifetime-title')}>
          <h2 id={id('lifetime-title')} className="card-title">
            Key lifetime
          </h2>
          <label className="inline-check">
            <input type="checkbox" checked={form.maxLifetimeOn} onChange={(e) => set('maxLifetimeOn', e.target.checked)} />
            Require an expiration on every key
          </label>
          <div className="field">
            <label className="field-label" htmlFor={id('max')}>
              Maximum key lifetime (days)
            </label>
            <input
              id={id('max')}
              data-field="maxKeyLifetimeDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={DAYS_MAX}
              className="input days-input"
              value={form.maxLifetimeOn ? form.maxLifetime : ''}
              placeholder={form.maxLifetimeOn ? '' : 'No limit'}
              disabled={!form.maxLifetimeOn}
              onChange={(e) => set('maxLifetime', e.target.value)}
              aria-invalid={!!errors.maxKeyLifetimeDays}
              aria-describedby={describedBy('maxKeyLifetimeDays', 'max-hint')}
            />
            <p id={id('max-hint')} className="field-hint">
              1 to {DAYS_MAX.toLocaleString('en-US')} days. New and edited keys need an expiration within this many days;
              existing keys beyond it are marked “Out of policy” until edited.
            </p>
            {fieldError('maxKeyLifetimeDays')}
          </div>
        </section>

        <section className="card settings-section" aria-labelledby={id('unused-title')}>
          <h2 id={id('unused-title')} className="card-title">
            Unused keys
          </h2>
          <label className="inline-check">
            <input type="checkbox" checked={form.unusedOn} onChange={(e) => set('unusedOn', e.target.checked)} />
            Flag keys that are not used
          </label>
          <div className="field">
            <label className="field-label" htmlFor={id('unused')}>
              Unused for (days)
            </label>
            <input
              id={id('unused')}
              data-field="unusedKeyDays"
              type="number"
              inputMode="numeric"
              min={1}
              max={DAYS_MAX}
              className="input days-input"
              value={form.unusedOn ? form.unused : ''}
              placeholder={form.unusedOn ? '' : 'Off'}
              disabled={!form.unusedOn}
              onChange={(e) => set('unused', e.target.value)}
              aria-invalid={!!errors.unusedKeyDays}
              aria-describedby={describedBy('unusedKeyDays', 'unused-hint')}
            />
            <p id={id('unused-hint')} className="field-hint">
              1 to {DAYS_MAX.toLocaleString('en-US')} days, counted from the last request (or from creation when never
              used). Such keys show “Unused” and appear under “Needs attention”.
            </p>
            {fieldError('unusedKeyDays')}
          </div>
          <label className="inline-check">
            <input
              type="checkbox"
              data-field="deactivateUnusedKeys"
              checked={form.deactivateUnused}
              disabled={!form.unusedOn && !form.deactivateUnused}
              onChange={(e) => set('deactivateUnused', e.target.checked)}
              aria-describedby={describedBy('deactivateUnusedKeys', 'deactivate-hint')}
            />
            Also deactivate them
          </label>
          <p id={id('deactivate-hint')} className="field-hint">
            Unused keys are switched off and the admins are emailed; an admin can activate them again.
          </p>
          {fieldError('deactivateUnusedKeys')}
        </section>

        <section className="card settings-section" aria-labelledby={id('leak-title')}>
          <h2 id={id('leak-title')} className="card-title">
            Leaked keys
          </h2>
          <fieldset className="field" aria-describedby={errors.leakedKeyAction ? id('leakedKeyAction-error') : id('leak-hint')}>
            <legend className="field-label">When a key is reported leaked (GitHub secret scanning)</legend>
            <div className="radio-cards">
              {LEAK_OPTIONS.map((o, i) => (
                <label key={o.value} className={`radio-card${form.leakedKeyAction === o.value ? ' checked' : ''}`}>
                  <input
                    type="radio"
                    name={id('leak')}
                    value={o.value}
                    data-field={i === 0 ? 'leakedKeyAction' : undefined}
                    checked={form.leakedKeyAction === o.value}
                    onChange={() => set('leakedKeyAction', o.value)}
                    aria-labelledby={id(`leak-${o.value}`)}
                    aria-describedby={id(`leak-${o.value}-hint`)}
                  />
                  <span id={id(`leak-${o.value}`)} className="radio-card-label">
                    {o.label}
                  </span>
                  <span id={id(`leak-${o.value}-hint`)} className="radio-card-hint">
                    {o.hint}
                  </span>
                </label>
              ))}
            </div>
            <p id={id('leak-hint')} className="field-hint">
              Either way the key is marked “Leaked” until it is rolled.
            </p>
            {fieldError('leakedKeyAction')}
          </fieldset>
        </section>

        <section className="card settings-section" aria-labelledby={id('notify-title')}>
          <h2 id={id('notify-title')} className="card-title">
            Notifications
          </h2>
          <label className="inline-check">
            <input
              type="checkbox"
              data-field="notifyOnKeyChanges"
              checked={form.notifyOnKeyChanges}
              onChange={(e) => set('notifyOnKeyChanges', e.target.checked)}
              aria-describedby={id('notify-hint')}
            />
            Email the admins when a key is created, deleted or rolled
          </label>
          <p id={id('notify-hint')} className="field-hint">
            The email names who did it and from which address. Leaks, public revocations and expiry warnings are always
            emailed.
          </p>
          {fieldError('notifyOnKeyChanges')}
        </section>
      </fieldset>
      {!readOnly && (
        // aria-disabled, not disabled: the button pressed stays focusable when it has nothing more to do (saved,
        // discarded, saving), instead of dropping keyboard focus to the page's body.
        <div className="settings-footer">
          <button
            type="button"
            className="button button-secondary"
            aria-disabled={!dirty || state.fetching}
            onClick={() => {
              if (!dirty || state.fetching) return;
              setForm(formOf(baseline));
              setErrors({});
              setGeneral(null);
            }}
          >
            Discard changes
          </button>
          <button type="submit" className="button button-primary" aria-disabled={!dirty || state.fetching}>
            {state.fetching ? 'Saving…' : 'Save settings'}
          </button>
        </div>
      )}
    </form>
  );
}
