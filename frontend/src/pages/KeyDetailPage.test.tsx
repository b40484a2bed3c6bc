import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router';
import { describe, expect, it } from 'vitest';
import { KeyDetailPage } from './KeyDetailPage';
import { makeKey, mockClient, renderWith } from '../test/utils';

function setup(key: ReturnType<typeof makeKey> & Record<string, unknown>, role: 'OWNER' | 'ADMIN' | 'VIEWER' = 'OWNER') {
  const m = mockClient({
    ApiKey: () => ({
      data: {
        apiKey: {
          previousSecretValidUntil: null,
          lastUsedIp: null,
          lastUsedRoute: null,
          createdBy: { __typename: 'Admin', id: '1', email: 'owner@example.com' },
          ...key,
        },
      },
    }),
    ApiKeyUsage: () => 'pending',
    AuditEvents: () => ({
      data: {
        auditEvents: {
          __typename: 'AuditEventConnection',
          pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null },
          edges: [
            {
              __typename: 'AuditEventEdge',
              node: { __typename: 'AuditEvent', id: '1', createdAt: '2026-01-05T15:04:00Z', action: 'LEAKED', actor: 'system', clientIP: '', detail: 'https://github.com/acme/app' },
            },
          ],
        },
      },
    }),
  });
  renderWith(
    <Routes>
      <Route path="/keys/:id" element={<KeyDetailPage />} />
    </Routes>,
    m.client,
    `/keys/${key.id}`,
    { role },
  );
  return m;
}

describe('KeyDetailPage', () => {
  it('is the page emails link to (/keys/<id>) and shows the last request: route and address', () => {
    const { calls } = setup({ ...makeKey({ id: '42', lastUsedAt: new Date().toISOString() }), lastUsedIp: '203.0.113.7', lastUsedRoute: 'POST /v1/emails' });
    expect(calls.find((c) => c.name === 'ApiKey')!.variables).toEqual({ id: '42' });
    expect(screen.getByRole('heading', { level: 1, name: 'Production Email API' })).toBeInTheDocument();
    expect(screen.getByTestId('last-request')).toHaveTextContent('POST /v1/emails from 203.0.113.7');
  });

  it('says what needs attention and why', () => {
    setup(makeKey({ id: '7', warnings: ['LEAKED', 'UNUSED'], status: 'INACTIVE' }));
    const list = screen.getByRole('list', { name: 'What needs attention' });
    expect(within(list).getByText(/This key was found in a public place/)).toBeInTheDocument();
    expect(within(list).getByText(/No request used this key/)).toBeInTheDocument();
    const trail = screen.getByRole('region', { name: 'Audit trail' });
    expect(within(trail).getByText('Reported leaked')).toBeInTheDocument();
    expect(within(trail).getByText(/system/)).toBeInTheDocument();
    expect(within(trail).getByRole('link', { name: 'Open in the security log' })).toHaveAttribute('href', '/security-log?key=7');
  });

  it('gives a viewer no key actions and says why', () => {
    setup(makeKey({ id: '7' }), 'VIEWER');
    expect(screen.queryByRole('button', { name: /^(Edit|Roll|Delete|Deactivate|Activate|Reveal) key/ })).not.toBeInTheDocument();
    expect(screen.getByTestId('read-only-note')).toHaveTextContent(/Viewer role/);
  });

  it('gives an admin the key actions', () => {
    setup(makeKey({ id: '7' }), 'ADMIN');
    expect(screen.getByRole('button', { name: 'Roll key Production Email API' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Reveal key Production Email API' })).toBeInTheDocument();
  });
});
