import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { KeyFormDialog, validateKeyForm } from './KeyFormDialog';
import { toDateTimeLocal } from '../lib/time';
import { PERMISSIONS, gqlError, makeKey, mockClient, renderWith } from '../test/utils';

const base = { name: 'Prod', permissions: ['SEND_EMAILS' as const], expiry: 'never' as const, expiresAtLocal: '', ipAllowlist: '', rateLimit: '', rateLimitDefault: false };

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
  it('counts characters as the server does, not UTF-16 units (an emoji is one character, two units)', () => {
    expect(validateKeyForm({ ...base, name: '🔑'.repeat(60) })).toEqual({});
    expect(validateKeyForm({ ...base, name: '🔑'.repeat(100) })).toEqual({});
    expect(validateKeyForm({ ...base, name: '🔑'.repeat(101) }).name).toMatch(/100/);
  });
  it('wants a future expiry', () => {
    expect(validateKeyForm({ ...base, expiry: 'custom', expiresAtLocal: '2001-01-01T00:00' }).expiresAt).toMatch(/future/);
    expect(validateKeyForm({ ...base, expiry: 'custom', expiresAtLocal: '' }).expiresAt).toBeTruthy();
  });
  it('checks an edited key\'s expiry only when it changed', () => {
    const now = new Date('2026-03-01T12:00:30Z');
    const past = '2001-01-01T00:00:00Z';
    const kept = { ...base, expiry: 'custom' as const, expiresAtLocal: toDateTimeLocal(past) };
    expect(validateKeyForm(kept, now, past)).toEqual({});
    expect(validateKeyForm({ ...kept, expiresAtLocal: '2002-01-01T00:00' }, now, past).expiresAt).toMatch(/future/);
    // Without the current expiry (creating) it is always checked.
    expect(validateKeyForm(kept, now).expiresAt).toMatch(/future/);
    // A key expiring later in the current minute: the input drops the seconds, but unchanged is fine.
    const soon = '2026-03-01T12:00:50Z';
    expect(validateKeyForm({ ...base, expiry: 'custom', expiresAtLocal: toDateTimeLocal(soon) }, now, soon)).toEqual({});
  });
  it('checks the IP allow-list lines', () => {
    expect(validateKeyForm({ ...base, ipAllowlist: '10.0.0.0/8\n2001:db8::/32\n192.168.1.1' })).toEqual({});
    expect(validateKeyForm({ ...base, ipAllowlist: '10.0.0.0/8\nexample.com' }).ipAllowlist).toMatch(/example\.com/);
  });
  it('checks the rate limit only when filled: a whole number from 1 to 10000', () => {
    for (const ok of ['', '  ', '1', '250', '10000']) expect(validateKeyForm({ ...base, rateLimit: ok })).toEqual({});
    for (const bad of ['0', '-5', '2.5', '10001', 'abc']) expect(validateKeyForm({ ...base, rateLimit: bad }).rateLimit).toMatch(/1 to 10,000/);
    // “Use the server default” ignores whatever is typed.
    expect(validateKeyForm({ ...base, rateLimit: '0', rateLimitDefault: true })).toEqual({});
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

  it('has an optional rate limit field that says the server default applies when empty', () => {
    setup(() => ({}));
    const rate = screen.getByLabelText(/Rate limit/);
    expect(rate).toHaveAttribute('type', 'number');
    expect(rate).toHaveValue(null);
    expect(rate).toHaveAttribute('placeholder', 'Server default');
    expect(rate).toHaveAccessibleDescription(expect.stringMatching(/requests per second.*server default/i));
    expect(screen.queryByRole('checkbox', { name: 'Use the server default' })).not.toBeInTheDocument();
  });

  it('sends the rate limit when filled', async () => {
    const user = userEvent.setup();
    const { calls } = setup(() => ({
      data: { createApiKey: { __typename: 'CreateApiKeyPayload', secret: 'bt_x', apiKey: makeKey({ name: 'Slow', rateLimit: 5 }) } },
    }));
    await user.type(screen.getByLabelText('Key Name'), 'Slow');
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.type(screen.getByLabelText(/Rate limit/), '5');
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    await screen.findByRole('dialog', { name: 'API key created' });
    expect(calls.find((c) => c.name === 'CreateApiKey')!.variables).toEqual({
      input: { name: 'Slow', permissions: ['READ_LEADS'], expiresAt: null, ipAllowlist: null, rateLimit: 5 },
    });
  });

  it('shows a bad rate limit at the field without calling the server', async () => {
    const user = userEvent.setup();
    const { calls } = setup(() => ({}));
    await user.type(screen.getByLabelText('Key Name'), 'Fast');
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    const rate = screen.getByLabelText(/Rate limit/);
    await user.type(rate, '20000');
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    expect(rate).toHaveAttribute('aria-invalid', 'true');
    expect(rate).toHaveAccessibleDescription(expect.stringContaining('Enter a whole number from 1 to 10,000'));
    expect(rate).toHaveFocus();
    expect(calls.some((c) => c.name === 'CreateApiKey')).toBe(false);
    // Typing again clears the error.
    await user.clear(rate);
    expect(rate).toHaveAttribute('aria-invalid', 'false');
  });

  it('shows a server rate limit error at the field', async () => {
    const user = userEvent.setup();
    setup(() => ({ error: gqlError('rateLimit must be at most 10000.', 'BAD_USER_INPUT', 'rateLimit') }));
    await user.type(screen.getByLabelText('Key Name'), 'Fast');
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.type(screen.getByLabelText(/Rate limit/), '50');
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    const rate = screen.getByLabelText(/Rate limit/);
    await waitFor(() => expect(rate).toHaveAttribute('aria-invalid', 'true'));
    expect(rate).toHaveAccessibleDescription(expect.stringContaining('rateLimit must be at most 10000.'));
    expect(rate).toHaveFocus();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
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

  it('moves focus to Copy once the key is created, so Tab stays in the dialog and Escape closes it', async () => {
    const user = userEvent.setup();
    const secret = 'bt_' + 'B'.repeat(43) + 'xyz789';
    const { onClose } = setup(() => ({
      data: { createApiKey: { __typename: 'CreateApiKeyPayload', secret, apiKey: makeKey({ name: 'Focus test' }) } },
    }));
    await user.type(screen.getByLabelText('Key Name'), 'Focus test');
    await user.click(screen.getByRole('checkbox', { name: 'Send Emails' }));
    await user.click(screen.getByRole('button', { name: 'Create API Key' }));
    const dialog = await screen.findByRole('dialog', { name: 'API key created' });
    const copy = within(dialog).getByRole('button', { name: 'Copy' });
    await waitFor(() => expect(copy).toHaveFocus());
    for (let i = 0; i < 5; i++) {
      await user.tab();
      expect(dialog.contains(document.activeElement)).toBe(true);
    }
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

  it('renames an expired key without touching its expiry', async () => {
    const user = userEvent.setup();
    const { calls, onClose } = editSetup(makeKey({ expiresAt: '2001-01-01T00:00:00Z', status: 'EXPIRED' }));
    expect(screen.getByLabelText(/Expiration/)).toHaveValue('custom');
    const name = screen.getByLabelText('Key Name');
    await user.clear(name);
    await user.type(name, 'Old key');
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.type(screen.getByLabelText(/IP allow-list/), '10.0.0.0/8');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.queryByText('Choose a time in the future.')).not.toBeInTheDocument();
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({
      id: '7',
      input: { name: 'Old key', permissions: ['SEND_EMAILS', 'READ_LEADS'], ipAllowlist: ['10.0.0.0/8'] },
    });
    expect(onClose).toHaveBeenCalled();
  });

  it('edits a key whose name is 60 emoji (120 UTF-16 units): the field holds it and it passes', async () => {
    const user = userEvent.setup();
    const name = '🔑'.repeat(60);
    const { calls, onClose } = editSetup(makeKey({ name }));
    const field = screen.getByLabelText('Key Name');
    expect(field).toHaveValue(name);
    expect(Number(field.getAttribute('maxLength'))).toBeGreaterThanOrEqual(200);
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(screen.queryByText(/Use at most/)).not.toBeInTheDocument();
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({
      id: '7',
      input: { permissions: ['SEND_EMAILS', 'READ_LEADS'] },
    });
    expect(onClose).toHaveBeenCalled();
  });

  it('says when the key was deleted meanwhile', async () => {
    const user = userEvent.setup();
    const { client } = mockClient({
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
      UpdateApiKey: () => ({ error: gqlError('No API key with this id exists.', 'NOT_FOUND') }),
    });
    renderWith(<KeyFormDialog apiKey={makeKey()} onClose={() => {}} />, client);
    await user.click(screen.getByRole('checkbox', { name: 'Read leads' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This API key no longer exists.');
  });

  it('edits a key that expires later in the current minute', async () => {
    const user = userEvent.setup();
    const soon = new Date();
    soon.setSeconds(59, 999);
    const { calls, onClose } = editSetup(makeKey({ expiresAt: soon.toISOString() }));
    await user.type(screen.getByLabelText(/Rate limit/), '10');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({ id: '7', input: { rateLimit: 10 } });
    expect(onClose).toHaveBeenCalled();
  });

  it('still wants a future time when the expiry of an expired key is changed', async () => {
    const user = userEvent.setup();
    const { calls, onClose } = editSetup(makeKey({ expiresAt: '2001-01-01T00:00:00Z', status: 'EXPIRED' }));
    const at = screen.getByLabelText('Expires at');
    await user.clear(at);
    await user.type(at, '2002-02-02T10:00');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(at).toHaveAccessibleDescription('Choose a time in the future.');
    expect(at).toHaveFocus();
    expect(calls.some((c) => c.name === 'UpdateApiKey')).toBe(false);
    expect(onClose).not.toHaveBeenCalled();
  });

  function editSetup(key = makeKey({ rateLimit: 25 })) {
    const { client, calls } = mockClient({
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
      UpdateApiKey: () => ({ data: { updateApiKey: key } }),
    });
    const onClose = vi.fn();
    renderWith(<KeyFormDialog apiKey={key} onClose={onClose} />, client);
    return { calls, onClose };
  }

  it('shows the current rate limit and leaves it out when the field stays empty', async () => {
    const user = userEvent.setup();
    const { calls } = editSetup();
    const rate = screen.getByLabelText(/Rate limit/);
    expect(rate).toHaveValue(null);
    expect(rate).toHaveAccessibleDescription(expect.stringContaining('Currently 25 per second; leave empty to keep it.'));
    await user.click(screen.getByRole('checkbox', { name: 'Delete leads' }));
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({
      id: '7',
      input: { permissions: ['SEND_EMAILS', 'DELETE_LEADS'] },
    });
  });

  it('sends a new rate limit', async () => {
    const user = userEvent.setup();
    const { calls, onClose } = editSetup();
    await user.type(screen.getByLabelText(/Rate limit/), '300');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({ id: '7', input: { rateLimit: 300 } });
    expect(onClose).toHaveBeenCalled();
  });

  it('returns to the server default with rateLimit 0', async () => {
    const user = userEvent.setup();
    const { calls } = editSetup();
    const rate = screen.getByLabelText(/Rate limit/);
    await user.type(rate, '300');
    await user.click(screen.getByRole('checkbox', { name: 'Use the server default' }));
    expect(rate).toBeDisabled();
    expect(rate).toHaveValue(null);
    expect(rate).toHaveAttribute('placeholder', 'Server default');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    expect(calls.find((c) => c.name === 'UpdateApiKey')!.variables).toEqual({ id: '7', input: { rateLimit: 0 } });
  });

  it('shows a server rate limit error at the field and keeps the dialog open', async () => {
    const user = userEvent.setup();
    const key = makeKey({ rateLimit: 25 });
    const { client } = mockClient({
      Permissions: () => ({ data: { permissions: PERMISSIONS } }),
      UpdateApiKey: () => ({ error: gqlError('Use 1 to 10000 requests per second.', 'BAD_USER_INPUT', 'input.rateLimit') }),
    });
    const onClose = vi.fn();
    renderWith(<KeyFormDialog apiKey={key} onClose={onClose} />, client);
    const rate = screen.getByLabelText(/Rate limit/);
    await user.type(rate, '9000');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));
    await waitFor(() => expect(rate).toHaveAttribute('aria-invalid', 'true'));
    expect(rate).toHaveAccessibleDescription(expect.stringContaining('Use 1 to 10000 requests per second.'));
    expect(onClose).not.toHaveBeenCalled();
  });
});
