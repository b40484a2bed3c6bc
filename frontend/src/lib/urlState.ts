import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { CombinedError } from 'urql';
import { appErrors } from './errors';

export type UrlUpdate = (changes: Record<string, string | null>, resetPage?: boolean, replace?: boolean) => void;

/**
 * A page's filters and cursors kept in the URL. `update` always starts from the URL as it is when called (not as it
 * was when the caller rendered), so a debounced change never brings back a filter cleared in the meantime.
 * Changing a filter drops the cursors and the page number unless `resetPage` is false.
 */
export function useUrlState(): [URLSearchParams, UrlUpdate] {
  const [params, setParams] = useSearchParams();
  const latest = useRef({ params, setParams });
  latest.current = { params, setParams };
  const update = useCallback<UrlUpdate>((changes, resetPage = true, replace = false) => {
    const next = new URLSearchParams(latest.current.params);
    for (const [k, v] of Object.entries(changes)) {
      if (v === null || v === '') next.delete(k);
      else next.set(k, v);
    }
    if (resetPage) {
      next.delete('after');
      next.delete('before');
      next.delete('page');
    }
    if (next.toString() === latest.current.params.toString()) return;
    latest.current.setParams(next, { replace });
  }, []);
  return [params, update];
}

/**
 * A text filter: typed into a box, written to the URL parameter `name` after `delay` ms, and replaced by the URL's
 * value when that changes from elsewhere (back button, "Clear filters").
 */
export function useDebouncedParam(params: URLSearchParams, name: string, update: UrlUpdate, delay = 250) {
  const urlValue = params.get(name) ?? '';
  const [text, setText] = useState(urlValue);
  const current = useRef(urlValue);
  current.current = urlValue;
  useEffect(() => {
    if (text.trim() === current.current.trim()) return;
    const t = setTimeout(() => {
      // The URL may have changed meanwhile (a clear): compare with it as it is now.
      if (text.trim() !== current.current.trim()) update({ [name]: text.trim() || null }, true, true);
    }, delay);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);
  useEffect(() => {
    setText((s) => (s.trim() === urlValue.trim() ? s : urlValue));
  }, [urlValue]);
  return [text, setText] as const;
}

/** Whether `error` is the server refusing a page cursor (`after`/`before`): stale, or edited by hand. */
export function isCursorError(error: CombinedError | undefined | null): boolean {
  return appErrors(error).some((e) => e.code === 'BAD_USER_INPUT' && (e.field === 'after' || e.field === 'before'));
}

/**
 * A list whose page cursor from the URL the server refused (an old bookmark, a hand-edited link) goes back to its
 * first page, replacing the URL, rather than showing the decoder's message. Returns `refused`: the error is such a
 * refusal (show the list as loading, not the error, while the first page comes); and `notice`: the first page is
 * shown for that reason, until the admin pages or filters again.
 */
export function useCursorFallback(error: CombinedError | undefined | null, params: URLSearchParams, update: UrlUpdate) {
  const refused = isCursorError(error);
  const cursor = !!(params.get('after') || params.get('before'));
  // The URL of the first page the notice is for, and whether the list has been there since.
  const [noticeFor, setNoticeFor] = useState<string | null>(null);
  const arrived = useRef(false);
  useEffect(() => {
    if (!refused || !cursor) return;
    const first = new URLSearchParams(params);
    for (const k of ['after', 'before', 'page']) first.delete(k);
    arrived.current = false;
    setNoticeFor(first.toString());
    update({ after: null, before: null, page: null }, false, true);
  }, [refused, cursor, params, update]);
  const here = params.toString();
  useEffect(() => {
    if (noticeFor === null) return;
    if (noticeFor === here) arrived.current = true;
    else if (arrived.current) setNoticeFor(null);
  }, [noticeFor, here]);
  return { refused, notice: noticeFor !== null && noticeFor === here };
}
