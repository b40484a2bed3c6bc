import type { CombinedError, UseQueryExecute } from 'urql';
import { errorMessage } from '../lib/errors';

export interface LoadErrorProps {
  /** What could not be loaded, as a sentence: “Could not load API keys.” */
  message: string;
  error: CombinedError | undefined;
  /** The query's re-execute function; Try again asks the server, not the cache. */
  refetch: UseQueryExecute;
  /** Extra classes, such as `table-message` inside a table card. */
  className?: string;
}

/** A query that failed: what, why, and a Try again button. */
export function LoadError({ message, error, refetch, className }: LoadErrorProps) {
  return (
    <div className={className ? `callout callout-error ${className}` : 'callout callout-error'} role="alert">
      <p>
        {message} {errorMessage(error)}
      </p>
      <button type="button" className="button button-secondary button-sm" onClick={() => refetch({ requestPolicy: 'network-only' })}>
        Try again
      </button>
    </div>
  );
}
