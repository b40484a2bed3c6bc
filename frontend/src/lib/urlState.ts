import { useCallback, useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router';

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
