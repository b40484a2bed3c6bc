import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { AuthProvider, useAuth } from './auth';
import { Layout } from './components/Layout';
import { ToastProvider } from './components/Toast';
import { ApiKeysPage } from './pages/ApiKeysPage';
import { KeyDetailPage } from './pages/KeyDetailPage';
import { LoginPage } from './pages/LoginPage';

function Gate() {
  const { state, retry } = useAuth();
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
    <Routes>
      <Route element={<Layout me={state.me} />}>
        <Route index element={<Navigate to="/keys" replace />} />
        <Route path="keys" element={<ApiKeysPage />} />
        <Route path="keys/:id" element={<KeyDetailPage />} />
        <Route path="login" element={<Navigate to="/keys" replace />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
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
