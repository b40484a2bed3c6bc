import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { Dialog, DialogFormFooter } from './Dialog';
import { CopyButton } from './CopyButton';
import { EyeIcon, EyeOffIcon } from './icons';
import { RevealApiKeyMutation } from '../graphql/operations';
import { appErrors, describe } from '../lib/errors';
import { useCan } from '../me';

export const REVEAL_TIMEOUT_MS = 30_000;

// A reveal, failed or not, adds to the key's audit trail: its queries are fetched again.
const revealContext = { additionalTypenames: ['AuditEvent'] };

export function revealErrorMessage(codes: (string | null)[], fallback: string): string {
  if (codes.includes('REVEAL_DISABLED')) return describe({ code: 'REVEAL_DISABLED', message: '' });
  if (codes.includes('RATE_LIMITED')) return 'Too many attempts. Please wait a few minutes and try again.';
  if (codes.some((c) => c === 'FORBIDDEN' || c === 'BAD_USER_INPUT' || c === 'UNAUTHENTICATED')) {
    return 'That password is not correct.';
  }
  return fallback;
}

/** Asks for the admin's password again (step-up), then reveals the key. */
export function RevealDialog({
  keyId,
  keyName,
  onClose,
  onRevealed,
}: {
  keyId: string;
  keyName: string;
  onClose: () => void;
  onRevealed: (secret: string) => void;
}) {
  const uid = useId();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [state, reveal] = useMutation(RevealApiKeyMutation);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!password) {
      setError('Enter your password.');
      return;
    }
    const res = await reveal({ id: keyId, password }, revealContext);
    if (res.data?.revealApiKey) {
      setPassword('');
      onRevealed(res.data.revealApiKey.secret);
      return;
    }
    const errs = appErrors(res.error);
    setError(revealErrorMessage(errs.map((x) => x.code), errs[0] ? describe(errs[0], 'API key') : 'Could not reveal the key.'));
  }

  return (
    <Dialog
      title="Confirm your password"
      description={<>To reveal the full key “{keyName}”, enter your password again. This is recorded in the key’s audit trail.</>}
      onClose={onClose}
      size="sm"
    >
      <form onSubmit={onSubmit} noValidate className="form">
        <div className="field">
          <label className="field-label" htmlFor={`${uid}-pw`}>
            Password
          </label>
          <input
            id={`${uid}-pw`}
            type="password"
            className="input"
            autoComplete="current-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setError(null);
            }}
            aria-invalid={!!error}
            aria-describedby={error ? `${uid}-err` : undefined}
          />
          {error && (
            <p id={`${uid}-err`} className="field-error" role="alert">
              {error}
            </p>
          )}
        </div>
        <DialogFormFooter onCancel={onClose} busy={state.fetching} submitLabel="Reveal key" busyLabel="Checking…" />
      </form>
    </Dialog>
  );
}

/**
 * The masked key with an eye button. The full key is kept only in this
 * component's memory, never in storage, and hidden again on a click, after
 * REVEAL_TIMEOUT_MS, or when the key is rolled (its masked form changes: the
 * revealed secret is dead, or dies at the end of the grace period).
 */
export function MaskedKey({ keyId, keyName, masked }: { keyId: string; keyName: string; masked: string }) {
  const [asking, setAsking] = useState(false);
  const [revealed, setRevealed] = useState<{ masked: string; secret: string } | null>(null);
  const secret = revealed?.masked === masked ? revealed.secret : null;
  const setSecret = (s: string | null) => setRevealed(s ? { masked, secret: s } : null);
  const fullRef = useRef<HTMLButtonElement>(null);
  const eyeRef = useRef<HTMLButtonElement>(null);
  const refocus = useRef(false);
  const can = useCan();

  // Forget a secret of before a roll rather than keep it in memory unseen.
  useEffect(() => {
    if (revealed && revealed.masked !== masked) setRevealed(null);
  }, [revealed, masked]);

  useEffect(() => {
    if (!secret) {
      if (refocus.current) eyeRef.current?.focus();
      refocus.current = false;
      return;
    }
    fullRef.current?.focus();
    const t = setTimeout(() => {
      refocus.current = !!fullRef.current?.parentElement?.contains(document.activeElement);
      setSecret(null);
    }, REVEAL_TIMEOUT_MS);
    return () => clearTimeout(t);
  }, [secret]);

  const hide = () => {
    refocus.current = true;
    setSecret(null);
  };

  if (secret) {
    return (
      <span className="masked-key revealed" data-testid="revealed-key">
        <button
          type="button"
          ref={fullRef}
          className="key-text key-text-full"
          onClick={hide}
          title="Click to hide"
          aria-label={`Full key of ${keyName}: ${secret}. Click to hide.`}
        >
          <code>{secret}</code>
        </button>
        <CopyButton text={secret} iconOnly className="icon-button" label={`Copy key ${keyName}`} />
        <button
          type="button"
          className="icon-button"
          aria-label={`Hide key ${keyName}`}
          title="Hide key"
          onClick={hide}
        >
          <EyeOffIcon />
        </button>
      </span>
    );
  }

  return (
    <span className="masked-key">
      <code className="key-text" data-testid="masked-key">
        {masked}
      </code>
      {can.revealKeys && (
        <button
          ref={eyeRef}
          type="button"
          className="icon-button"
          aria-label={`Reveal key ${keyName}`}
          title="Reveal key"
          onClick={() => setAsking(true)}
        >
          <EyeIcon />
        </button>
      )}
      {asking && (
        <RevealDialog
          keyId={keyId}
          keyName={keyName}
          onClose={() => setAsking(false)}
          onRevealed={(s) => {
            setAsking(false);
            setSecret(s);
          }}
        />
      )}
    </span>
  );
}
