import { Client, cacheExchange, fetchExchange, mapExchange, type Operation } from 'urql';
import type { CombinedError } from 'urql';

function operationName(op: Operation): string | undefined {
  const defs = 'definitions' in op.query ? op.query.definitions : [];
  for (const def of defs) {
    if (def.kind === 'OperationDefinition') return def.name?.value;
  }
  return undefined;
}

/**
 * The urql client of the SPA. POST only (the server refuses GET), JSON only,
 * same-origin cookies (the HttpOnly session cookie set by `login`); nothing is
 * kept in localStorage or sessionStorage.
 *
 * onUnauthenticated is called when an operation other than Me/Login answers
 * UNAUTHENTICATED, so the app can check the session and show the login page.
 */
export function makeClient(onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    preferGetMethod: false,
    fetchOptions: () => ({ credentials: 'same-origin' }),
    requestPolicy: 'cache-and-network',
    exchanges: [
      mapExchange({
        onError(error: CombinedError, operation: Operation) {
          const name = operationName(operation);
          if (name === 'Me' || name === 'Login' || name === 'AcceptInvite') return;
          if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) {
            onUnauthenticated();
          }
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
