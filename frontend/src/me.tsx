import { createContext, useContext } from 'react';
import type { AdminRole } from './gql/graphql';
import { capabilitiesOf, type Capabilities } from './lib/roles';

export interface Me {
  id: string;
  email: string;
  role: AdminRole;
  account: { id: string; name: string };
}

/** The signed-in admin, provided around the signed-in routes. */
export const MeContext = createContext<Me | null>(null);

export function useMe(): Me | null {
  return useContext(MeContext);
}

/** What the signed-in admin's role allows (nothing without one). */
export function useCan(): Capabilities {
  return capabilitiesOf(useContext(MeContext)?.role);
}
