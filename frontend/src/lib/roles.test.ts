import { describe, expect, it } from 'vitest';
import { ROLES, ROLE_DESCRIPTION, SCOPES, SCOPE_DESCRIPTION, capabilitiesOf } from './roles';

describe('capabilitiesOf', () => {
  it('follows DESIGN.md section 10', () => {
    expect(capabilitiesOf('OWNER')).toMatchObject({ manageKeys: true, revealKeys: true, manageTeam: true, editSettings: true, allTokens: true });
    expect(capabilitiesOf('OWNER').tokenScopes).toEqual(SCOPES);
    expect(capabilitiesOf('ADMIN')).toMatchObject({ manageKeys: true, revealKeys: true, manageTeam: false, editSettings: false, allTokens: false });
    expect(capabilitiesOf('ADMIN').tokenScopes).toEqual(SCOPES);
    expect(capabilitiesOf('VIEWER')).toMatchObject({ manageKeys: false, revealKeys: false, manageTeam: false, editSettings: false, allTokens: false });
    expect(capabilitiesOf('VIEWER').tokenScopes).toEqual(['KEYS_READ', 'AUDIT_READ']);
  });
  it('allows nothing without a role', () => {
    expect(capabilitiesOf(null)).toMatchObject({ manageKeys: false, revealKeys: false, manageTeam: false, editSettings: false, tokenScopes: [] });
  });
  it('describes every role and scope', () => {
    for (const r of ROLES) expect(ROLE_DESCRIPTION[r].length).toBeGreaterThan(20);
    for (const s of SCOPES) expect(SCOPE_DESCRIPTION[s].length).toBeGreaterThan(20);
  });
});
