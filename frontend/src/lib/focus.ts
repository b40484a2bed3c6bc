import { useEffect, type RefObject } from 'react';
import { useLocation } from 'react-router';

/** The page's heading (every page's h1 has tabIndex -1): where focus goes when what had it is gone. */
export function pageHeading(): HTMLElement | null {
  return document.querySelector<HTMLElement>('main h1');
}

/** How long after a navigation a page that swaps its heading (loading → loaded) still gets the focus moved. */
export const HEADING_FOCUS_WINDOW_MS = 10_000;

/**
 * Moves keyboard focus to the new page's h1 when the path changes, as a page load puts a screen reader at the
 * top of the new page; otherwise focus stays on a link that is gone, that is on the page's body. A page that shows
 * a loading heading first replaces it when its data comes: focus follows to the new heading, until the admin puts
 * focus somewhere else. Only the path counts: filters and paging (the query string) leave focus where it is.
 */
export function useFocusHeadingOnNavigate(main: RefObject<HTMLElement | null>) {
  const { pathname } = useLocation();
  useEffect(() => {
    const el = main.current;
    if (!el) return;
    const heading = () => el.querySelector<HTMLElement>('h1');
    heading()?.focus();
    const observer = new MutationObserver(() => {
      const active = document.activeElement;
      if (!active || active === document.body) heading()?.focus({ preventScroll: true });
    });
    observer.observe(el, { childList: true, subtree: true });
    const stop = () => {
      observer.disconnect();
      clearTimeout(timer);
      document.removeEventListener('focusin', onFocusIn);
    };
    // Focus put anywhere but a heading (a field, a dialog) ends the watch.
    const onFocusIn = (e: FocusEvent) => {
      if (!(e.target instanceof HTMLHeadingElement)) stop();
    };
    const timer = setTimeout(stop, HEADING_FOCUS_WINDOW_MS);
    document.addEventListener('focusin', onFocusIn);
    return stop;
  }, [main, pathname]);
}
