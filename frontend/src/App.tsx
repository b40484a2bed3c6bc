import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { AuthProvider, useAuth } from './auth';
import { MeContext } from './me';
import { Layout } from './components/Layout';
import { ToastProvider } from './components/Toast';
import { AccessTokensPage } from './pages/AccessTokensPage';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { InvitePage } from './pages/InvitePage';
import { KeyDetailPage } from './pages/KeyDetailPage';
import { LoginPage } from './pages/LoginPage';
import { SecurityLogPage } from './pages/SecurityLogPage';
import { SettingsPage } from './pages/SettingsPage';
import { TeamPage } from './pages/TeamPage';

/**
 * The SPA's routes. Emails link to /keys/<id> (a key's detail page) and /invite/<token> (the public page that
 * accepts an invite); both paths are part of the product's interface.
 */
function Gate() {
  const { state, retry } = useAuth();
  const location = useLocation();
  // The invite page needs no session: it is how a new admin gets one.
  if (location.pathname.startsWith('/invite/')) {
    return (
      <Routes>
        <Route path="/invite/:token" element={<InvitePage />} />
      </Routes>
    );
  }
  if (state.status === 'loading') {
    return (
      <div className="fullscreen-center" role="status" aria-live="polite">
        <span className="spinner" aria-hidden="true" />
        <span className="sr-only">Loading…</span>
      </div>
    );
  }
  if (state.status === 'error') {
    return (
      <main className="fullscreen-center">
        <div className="callout callout-error" role="alert">
          <p>{state.message}</p>
          <button type="button" className="button button-secondary button-sm" onClick={retry}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  if (state.status === 'anon') return <LoginPage notice={state.notice} />;
  return (
    <MeContext.Provider value={state.me}>
      <Routes>
        <Route element={<Layout me={state.me} />}>
          <Route index element={<Navigate to="/keys" replace />} />
          <Route path="keys" element={<ApiKeysPage />} />
          <Route path="keys/:id" element={<KeyDetailPage />} />
          <Route path="security-log" element={<SecurityLogPage />} />
          <Route path="team" element={<TeamPage />} />
          <Route path="access-tokens" element={<AccessTokensPage />} />
          <Route path="settings" element={<SettingsPage />} />
          <Route path="login" element={<Navigate to="/keys" replace />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Routes>
    </MeContext.Provider>
  );
}

function NotFound() {
  return (
    <div className="page">
      <h1 tabIndex={-1}>Page not found</h1>
      <p>
        <a href="/keys">Go to API Key Management</a>
      </p>
    </div>
  );
}

export function App() {
  return (
    <BrowserRouter>
      <AuthProvider>
        <ToastProvider>
          <Gate />
        </ToastProvider>
      </AuthProvider>
    </BrowserRouter>
  );
}
