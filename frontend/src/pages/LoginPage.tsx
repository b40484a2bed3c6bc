import { useState, type FormEvent } from 'react';
import { useAuth } from '../auth';
import { Logo } from '../components/Logo';

export function LoginPage({ notice }: { notice?: string }) {
  const { login } = useAuth();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!email.trim() || !password) {
      setError('Enter your email and password.');
      return;
    }
    setBusy(true);
    setError(null);
    const res = await login(email.trim(), password);
    setBusy(false);
    if (!res.ok) {
      setError(res.message);
      setPassword('');
    }
  }

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <Logo />
          <span>businesstools</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Manage your account’s API keys.</p>
        {notice && !error && (
          <div className="callout callout-info" role="status">
            {notice}
          </div>
        )}
        {error && (
          <div className="callout callout-error" role="alert" id="login-error">
            {error}
          </div>
        )}
        <form onSubmit={onSubmit} noValidate className="form">
          <div className="field">
            <label className="field-label" htmlFor="login-email">
              Email
            </label>
            <input
              id="login-email"
              type="email"
              className="input"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={!!error}
              aria-describedby={error ? 'login-error' : undefined}
              autoFocus
              required
            />
          </div>
          <div className="field">
            <label className="field-label" htmlFor="login-password">
              Password
            </label>
            <input
              id="login-password"
              type="password"
              className="input"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={!!error}
              aria-describedby={error ? 'login-error' : undefined}
              required
            />
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </div>
    </main>
  );
}
