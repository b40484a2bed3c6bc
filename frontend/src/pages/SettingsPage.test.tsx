import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { SettingsPage, formOf, settingsPatch, validateSettings } from './SettingsPage';
import { gqlError, mockClient, renderWith } from '../test/utils';

const SETTINGS = {
  __typename: 'AccountSettings',
  maxKeyLifetimeDays: 90,
  unusedKeyDays: null,
  deactivateUnusedKeys: false,
  leakedKeyAction: 'DEACTIVATE',
  notifyOnKeyChanges: false,
} as const;

function setup(update: (v: Record<string, unknown>) => { data?: unknown; error?: unknown } = () => ({}), role: 'OWNER' | 'ADMIN' | 'VIEWER' = 'OWNER') {
  const m = mockClient({
    AccountSettings: () => ({ data: { accountSettings: SETTINGS } }),
    UpdateAccountSettings: update,
  });
  renderWith(<SettingsPage />, m.client, '/settings', { role });
  return m;
}

describe('settings form logic', () => {
  it('sends only what changed; switching a day limit off sends null', () => {
    const f = formOf(SETTINGS);
    expect(settingsPatch(f, SETTINGS)).toEqual({});
    expect(settingsPatch({ ...f, maxLifetimeOn: false }, SETTINGS)).toEqual({ maxKeyLifetimeDays: null });
    expect(settingsPatch({ ...f, unusedOn: true, unused: '45', deactivateUnused: true }, SETTINGS)).toEqual({
      unusedKeyDays: 45,
      deactivateUnusedKeys: true,
    });
    expect(settingsPatch({ ...f, leakedKeyAction: 'NOTIFY', notifyOnKeyChanges: true }, SETTINGS)).toEqual({
      leakedKeyAction: 'NOTIFY',
      notifyOnKeyChanges: true,
    });
  });
  it('wants whole numbers from 1 to 3650 for the limits that are on, and names the field by its label', () => {
    const f = formOf(SETTINGS);
    expect(validateSettings(f)).toEqual({});
    expect(validateSettings({ ...f, maxLifetime: '2.5' }).maxKeyLifetimeDays).toMatch(/whole number/);
    expect(validateSettings({ ...f, maxLifetime: '' }).maxKeyLifetimeDays).toMatch(/whole number/);
    expect(validateSettings({ ...f, maxLifetime: '0' })).toEqual({
      maxKeyLifetimeDays: 'Maximum key lifetime (days) must be from 1 to 3,650.',
    });
    expect(validateSettings({ ...f, maxLifetime: '3651' }).maxKeyLifetimeDays).toMatch(/^Maximum key lifetime \(days\) must be/);
    expect(validateSettings({ ...f, maxLifetime: '3650' })).toEqual({});
    expect(validateSettings({ ...f, unusedOn: true, unused: '-3' }).unusedKeyDays).toBe('Unused for (days) must be from 1 to 3,650.');
    expect(validateSettings({ ...f, unusedOn: true, unused: 'abc' }).unusedKeyDays).toMatch(/whole number/);
    expect(validateSettings({ ...f, unusedOn: false, unused: 'abc' })).toEqual({});
  });
});

describe('SettingsPage', () => {
  it('shows the current settings to an owner and saves a change', async () => {
    const user = userEvent.setup();
    const { calls } = setup((v) => ({
      data: { updateAccountSettings: { ...SETTINGS, ...(v.input as object) } },
    }));
    expect(await screen.findByLabelText('Maximum key lifetime (days)')).toHaveValue(90);
    expect(screen.getByLabelText('Require an expiration on every key')).toBeChecked();
    expect(screen.getByLabelText('Unused for (days)')).toBeDisabled();
    expect(screen.getByRole('radio', { name: 'Deactivate the key' })).toBeChecked();
    expect(screen.getByRole('button', { name: 'Save settings' })).toHaveAttribute('aria-disabled', 'true');

    await user.click(screen.getByLabelText('Flag keys that are not used'));
    await user.type(screen.getByLabelText('Unused for (days)'), '45');
    await user.click(screen.getByRole('radio', { name: 'Only notify' }));
    await user.click(screen.getByLabelText('Email the admins when a key is created, deleted or rolled'));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(calls.find((c) => c.name === 'UpdateAccountSettings')!.variables).toEqual({
      input: { unusedKeyDays: 45, leakedKeyAction: 'NOTIFY', notifyOnKeyChanges: true },
    });
    expect(await screen.findByText('Settings saved.')).toBeInTheDocument();
    // Nothing more to save, but the button keeps the keyboard focus (a disabled one would drop it on the body).
    const saveButton = screen.getByRole('button', { name: 'Save settings' });
    expect(saveButton).toHaveAttribute('aria-disabled', 'true');
    expect(saveButton).not.toBeDisabled();
    expect(saveButton).toHaveFocus();
    // And a second press sends nothing.
    await user.click(saveButton);
    expect(calls.filter((c) => c.name === 'UpdateAccountSettings')).toHaveLength(1);
  });

  it('shows a server validation error at the field named by extensions.field, in the form’s words, and focuses it', async () => {
    const user = userEvent.setup();
    setup(() => ({
      error: gqlError('maxKeyLifetimeDays must be between 1 and 3650 days, or null for none.', 'BAD_USER_INPUT', 'input.maxKeyLifetimeDays'),
    }));
    const days = await screen.findByLabelText('Maximum key lifetime (days)');
    await user.clear(days);
    await user.type(days, '30');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(days).toHaveAttribute('aria-invalid', 'true'));
    expect(days).toHaveAccessibleDescription(expect.stringContaining('Maximum key lifetime (days) must be between 1 and 3650 days'));
    expect(days).not.toHaveAccessibleDescription(expect.stringContaining('maxKeyLifetimeDays'));
    expect(days).toHaveFocus();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    // Typing clears the error.
    await user.type(days, '5');
    expect(days).toHaveAttribute('aria-invalid', 'false');
  });

  it('checks the range before sending, in the label’s words', async () => {
    const user = userEvent.setup();
    const { calls } = setup();
    const days = await screen.findByLabelText('Maximum key lifetime (days)');
    await user.clear(days);
    await user.type(days, '0');
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(days).toHaveAccessibleDescription(expect.stringContaining('Maximum key lifetime (days) must be from 1 to 3,650.'));
    expect(days).toHaveFocus();
    expect(calls.some((c) => c.name === 'UpdateAccountSettings')).toBe(false);
  });

  it('checks whole numbers before sending', async () => {
    const user = userEvent.setup();
    const { calls } = setup();
    await user.click(await screen.findByLabelText('Flag keys that are not used'));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(screen.getByLabelText('Unused for (days)')).toHaveAccessibleDescription(expect.stringContaining('Enter a whole number of days.'));
    expect(calls.some((c) => c.name === 'UpdateAccountSettings')).toBe(false);
  });

  it('shows an error without a field as a general alert', async () => {
    const user = userEvent.setup();
    setup(() => ({ error: gqlError('Only owners can change the settings.', 'FORBIDDEN') }));
    await user.click(await screen.findByLabelText('Email the admins when a key is created, deleted or rolled'));
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Only owners can change the settings.');
  });

  it('discards changes', async () => {
    const user = userEvent.setup();
    setup();
    await user.click(await screen.findByLabelText('Require an expiration on every key'));
    expect(screen.getByLabelText('Maximum key lifetime (days)')).toBeDisabled();
    await user.click(screen.getByRole('button', { name: 'Discard changes' }));
    expect(screen.getByLabelText('Maximum key lifetime (days)')).toHaveValue(90);
  });

  it.each(['ADMIN', 'VIEWER'] as const)('shows an %s the settings read-only and says why', async (role) => {
    setup(undefined, role);
    const form = await screen.findByRole('form', { name: 'Account settings' });
    expect(within(form).getByLabelText('Maximum key lifetime (days)')).toBeDisabled();
    expect(within(form).getByLabelText('Maximum key lifetime (days)')).toHaveValue(90);
    expect(within(form).getByLabelText('Require an expiration on every key')).toBeDisabled();
    expect(within(form).getByRole('radio', { name: 'Only notify' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save settings' })).not.toBeInTheDocument();
    expect(screen.getByTestId('read-only-note')).toHaveTextContent(/Only owners can change the account settings.*role/);
  });

  it('explains when the server does not let a non-owner read the settings', async () => {
    const m = mockClient({ AccountSettings: () => ({ error: gqlError('Owners only.', 'FORBIDDEN') }) });
    renderWith(<SettingsPage />, m.client, '/settings', { role: 'ADMIN' });
    expect(await screen.findByTestId('read-only-note')).toHaveTextContent('Only owners can change the account settings. You have the Admin role.');
    expect(screen.queryByRole('form')).not.toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
