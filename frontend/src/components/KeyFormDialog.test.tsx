import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { KeyFormDialog, validateKeyForm } from './KeyFormDialog';
import { PERMISSIONS, gqlError, makeKey, mockClient, renderWith } from '../test/utils';

const base = { name: 'Prod', permissions: ['SEND_EMAILS' as const], expiry: 'never' as const, expiresAtLocal: '', ipAllowlist: '' };

describe('validateKeyForm', () => {
  it('accepts a complete form', () => {
    expect(validateKeyForm(base)).toEqual({});
  });
  it('requires a name and a permission', () => {
    const e = validateKeyForm({ ...base, name: '  ', permissions: [] });
    expect(e.name).toMatch(/name/i);
    expect(e.permissions).toMatch(/at least one/i);
  });
  it('limits the name to 100 characters', () => {
    expect(validateKeyForm({ ...base, name: 'x'.repeat(101) }).name).toMatch(/100/);
  });
  it('wants a future expiry', () => {
    expect(validateKeyForm({ ...base, expiry: 'custom', expiresAtLocal: '2001-01-01T00:00' }).expiresAt).toMatch(/future/);
    expect(validateKeyForm({ ...base, expiry: 'custom', expiresAtLocal: '' }).expiresAt).toBeTruthy();
  });
  it('checks the IP allow-list lines', () => {
    expect(validateKeyForm({ ...base, ipAllowlist: '10.0.0.0/8\n2001:db8::/32\n192.168.1.1' })).toEqual({});
    expect(validateKeyForm({ ...base, ipAllowlist: '10.0.0.0/8\nexample.com' }).ipAllowlist).toMatch(/example\.com/);
  });
});

function setup(createResult: () => { data?: unknown; error?: unknown }) {
  const { client, calls } = mockClient({
    Permissions: () => ({ data: { permissions: PERMISSIONS } }),
    CreateApiKey: createResult,
  });
  const onClose = vi.fn();
  renderWith(<KeyFormDialog onClose={onClose} />, client);
  return { calls, onClose };
}

describe('Create New API Key dialog', () => {
  it('is an accessible modal dialog listing every permission with its description', () => {
    setup(() => ({}));
    const dialog = screen.getByRole('dialog', { name: 'Create New API Key' });
    expect(dialog).toHaveAttribute('aria-modal', 'true');
    expect(within(dialog).getByLabelText('Key Name')).toHaveAttribute('placeholder', expect.stringContaining('Production Email API'));
    for (const p of PERMISSIONS) {
      const box = within(dialog).getByRole('checkbox', { name: p.name });
      expect(box).toHaveAccessibleDescription(p.description);
    }
    expect(within(dialog).getByLabelText(/Expiration/)).toBeInTheDocument();
    expect(within(dialog).getByLabelText(/IP allow-list/)).toBeInTheDocument();
    expect(within(dialog).getByLabelText('Key Name')).toHaveFocus();
  });

  it('shows validation errors at the fields without calling the server', async () => {
    const user = userEvent.setup();
    const { calls } = setup(() => ({}));
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    expect(screen.getByLabelText('Key Name')).toHaveAccessibleDescription(expect.stringContaining('Enter a name for the key.'));
    expect(screen.getByLabelText('Key Name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Choose at least one permission.')).toBeInTheDocument();
    expect(screen.getByLabelText('Key Name')).toHaveFocus();
    expect(calls.some((c) => c.name === 'CreateApiKey')).toBe(false);
  });

  it('shows a server validation error at the field it names', async () => {
    const user = userEvent.setup();
    setup(() => ({ error: gqlError('An API key with this name already exists.', 'BAD_USER_INPUT', 'name') }));
    await user.type(screen.getByLabelText('Key Name'), 'Production Email API');
    await user.click(screen.getByRole('checkbox', { name: 'Send Emails' }));
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    expect(await screen.findByText('An API key with this name already exists.')).toBeInTheDocument();
    expect(screen.getByLabelText('Key Name')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText('Key Name')).toHaveFocus();
  });

  it('sends the form and then shows the secret once, with a copy button and a warning', async () => {
    const user = userEvent.setup();
    const secret = 'bt_' + 'A'.repeat(43) + 'abc123';
    const { calls } = setup(() => ({
      data: { createApiKey: { __typename: 'CreateApiKeyPayload', secret, apiKey: makeKey({ name: 'Leads sync' }) } },
    }));
    await user.type(screen.getByLabelText('Key Name'), '  Leads sync ');
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.click(screen.getByRole('checkbox', { name: 'Send Emails' }));
    await user.type(screen.getByLabelText(/IP allow-list/), '10.0.0.0/8{enter}192.0.2.7');
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));

    const dialog = await screen.findByRole('dialog', { name: 'API key created' });
    expect(within(dialog).getByDisplayValue(secret)).toBeInTheDocument();
    expect(within(dialog).getByText(/will not be shown again/i)).toBeInTheDocument();
    expect(within(dialog).getByRole('button', { name: /Copy/ })).toBeInTheDocument();

    const create = calls.find((c) => c.name === 'CreateApiKey')!;
    expect(create.variables).toEqual({
      input: {
        name: 'Leads sync',
        permissions: ['SEND_EMAILS', 'READ_LEADS'],
        expiresAt: null,
        ipAllowlist: ['10.0.0.0/8', '192.0.2.7'],
      },
    });
  });

  it('closes on Escape', async () => {
    const user = userEvent.setup();
    const { onClose } = setup(() => ({}));
    await user.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalled();
  });
});

describe('Edit dialog', () => {
  it('sends only what changed', async () => {
    const user = userEvent.setup();
    const key = makeKey({ expiresAt: '2001-01-01T00:00:00Z', status: 'EXPIRED' });
    const { client, calls } = mockClient({
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
      UpdateApiKey: () => ({ data: { updateApiKey: { ...key, name: 'Renamed' } } }),
    });
    const onClose = vi.fn();
    renderWith(<KeyFormDialog apiKey={key} onClose={onClose} />, client);
    const name = screen.getByLabelText('Key Name');
    await user.clear(name);
    await user.type(name, 'Renamed');
    // An expired key's past expiry is kept as is unless changed: pick "no expiration".
    await user.selectOptions(screen.getByLabelText(/Expiration/), 'never');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({
      id: '7',
      input: { name: 'Renamed', expiresAt: null },
    });
    expect(onClose).toHaveBeenCalled();
  });
});
