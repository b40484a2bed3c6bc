import { describe as group, expect, it } from 'vitest';
import type { CombinedError } from 'urql';
import { describe, errorMessage, splitFieldErrors } from './errors';
import { gqlError } from '../test/utils';

const notFound = (message: string) => gqlError(message, 'NOT_FOUND') as unknown as CombinedError;

group('describe NOT_FOUND', () => {
  it('names the thing the caller was acting on', () => {
    expect(describe({ code: 'NOT_FOUND', message: 'No admin with this id exists.' }, 'admin')).toBe('This admin no longer exists.');
    expect(errorMessage(notFound('No API key with this id exists.'), 'API key')).toBe('This API key no longer exists.');
    expect(errorMessage(notFound('No access token with this id exists.'), 'access token')).toBe('This access token no longer exists.');
  });

  it('uses the server’s sentence when the caller names nothing, never a key it was not about', () => {
    expect(errorMessage(notFound('No admin with this id exists.'))).toBe('No admin with this id exists.');
    expect(describe({ code: 'NOT_FOUND', message: '' })).toBe('This no longer exists.');
  });

  it('passes the name on for errors that belong to no field', () => {
    expect(splitFieldErrors(notFound('No API key with this id exists.'), 'API key').general).toEqual(['This API key no longer exists.']);
  });
});
