import type { ReactNode } from 'react';
import type { UrlUpdate } from '../lib/urlState';

export interface PaginationProps {
  /** The page shown, from 1; kept in the URL as `page`. */
  page: number;
  pageInfo: { startCursor?: string | null; endCursor?: string | null };
  /** The page's URL state: the buttons set `before`/`after` and `page` there. */
  update: UrlUpdate;
  previousLabel: string;
  nextLabel: string;
  /** Whether there is nothing further; the previous button turns itself off on the first page. */
  nextDisabled: boolean;
  /** What the page shows (“Showing 1–20 of 23 keys”), announced when it changes. */
  children: ReactNode;
}

/** Previous/next buttons over a cursor connection whose cursors live in the URL. */
export function Pagination({ page, pageInfo, update, previousLabel, nextLabel, nextDisabled, children }: PaginationProps) {
  return (
    <nav className="pagination" aria-label="Pagination">
      <p className="pagination-info" aria-live="polite">
        {children}
      </p>
      <div className="pagination-buttons">
        <PageButton
          off={page <= 1 || !pageInfo.startCursor}
          onClick={() =>
            update(
              page - 1 <= 1
                ? { after: null, before: null, page: null }
                : { after: null, before: pageInfo.startCursor ?? null, page: String(page - 1) },
              false,
            )
          }
        >
          {previousLabel}
        </PageButton>
        <PageButton
          off={nextDisabled}
          onClick={() => update({ before: null, after: pageInfo.endCursor ?? null, page: String(page + 1) }, false)}
        >
          {nextLabel}
        </PageButton>
      </div>
    </nav>
  );
}

/**
 * A previous/next button. At the end it is aria-disabled, not disabled: Next pressed onto the last page turns itself
 * off, and a disabled button would drop keyboard focus to the page's body.
 */
function PageButton({ off, onClick, children }: { off: boolean; onClick: () => void; children: ReactNode }) {
  return (
    <button
      type="button"
      className="button button-secondary button-sm"
      aria-disabled={off || undefined}
      onClick={() => {
        if (!off) onClick();
      }}
    >
      {children}
    </button>
  );
}
