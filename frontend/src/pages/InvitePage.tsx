import { useId, useState, type FormEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { useAuth } from '../auth';
import { FormError, TextField } from '../components/Field';
import { Logo } from '../components/Logo';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 1024;

export const INVALID_LINK =
  'This invitation link is not valid any more: it was used already or has expired. Ask an owner to invite you again.';

export interface InviteErrors {
  password?: string;
  confirm?: string;
}

/**
 * The same password rules as every password (8 to 1024 characters, counted as characters, not UTF-16 units), and
 * the two copies must match.
 */
export function validateNewPassword(password: string, confirm: string): InviteErrors {
  const errors: InviteErrors = {};
  const length = [...password].length;
  if (length < PASSWORD_MIN) errors.password = `Use at least ${PASSWORD_MIN} characters.`;
  else if (length > PASSWORD_MAX) errors.password = `Use at most ${PASSWORD_MAX} characters.`;
  if (!errors.password && confirm !== password) errors.confirm = 'The two passwords differ.';
  return errors;
}

/**
 * /invite/<token>: the page an invite email links to. No session is needed; setting the password accepts the
 * invite, signs the new admin in and lands on API Key Management.
 */
export function InvitePage() {
  const { token = '' } = useParams();
  const { acceptInvite } = useAuth();
  const navigate = useNavigate();
  const uid = useId();
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<InviteErrors>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setGeneral(null);
    const errs = validateNewPassword(password, confirm);
    setErrors(errs);
    if (errs.password || errs.confirm) {
      document.getElementById(errs.password ? `${uid}-pw` : `${uid}-confirm`)?.focus();
      return;
    }
    setBusy(true);
    const res = await acceptInvite(token, password);
    setBusy(false);
    if (res.ok) {
      navigate('/keys', { replace: true });
      return;
    }
    if (res.fields.password) {
      setErrors({ password: res.fields.password });
      document.getElementById(`${uid}-pw`)?.focus();
      return;
    }
    // Anything else refused is the link: used, expired, or never issued (the server does not say which).
    const refused = res.codes.some((c) => c === 'BAD_USER_INPUT' || c === 'NOT_FOUND' || c === 'FORBIDDEN' || c === 'UNAUTHENTICATED');
    setGeneral(refused ? INVALID_LINK : (res.message ?? 'Could not accept the invitation. Please try again.'));
  }

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <Logo />
          <span>businesstools</span>
        </div>
        <h1>Accept your invitation</h1>
        <p className="muted">Choose a password to join the account. You sign in with it and your email from now on.</p>
        <FormError message={general} />
        <form onSubmit={onSubmit} noValidate className="form">
          <TextField
            id={`${uid}-pw`}
            label="New password"
            hint={`At least ${PASSWORD_MIN} characters. A passphrase of a few words is easy to remember and hard to guess.`}
            error={errors.password}
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              if (errors.password) setErrors((x) => ({ ...x, password: undefined }));
            }}
            autoFocus
          />
          <TextField
            id={`${uid}-confirm`}
            label="Repeat the password"
            error={errors.confirm}
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => {
              setConfirm(e.target.value);
              if (errors.confirm) setErrors((x) => ({ ...x, confirm: undefined }));
            }}
          />
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Joining…' : 'Set password and sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
