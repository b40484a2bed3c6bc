import type { ComponentProps, ReactNode } from 'react';
import { SearchIcon } from './icons';

export interface SearchFieldProps extends ComponentProps<'input'> {
  id: string;
  /** The accessible name; the box shows only its placeholder. */
  label: string;
  /** The narrower box, for toolbars with several. */
  small?: boolean;
  /** Shown after the input, such as a datalist of suggestions. */
  children?: ReactNode;
}

/** A search box with an icon and a visually hidden label; the other props go to the input. */
export function SearchField({ id, label, small = false, children, ...input }: SearchFieldProps) {
  return (
    <div className={small ? 'search search-sm' : 'search'}>
      <SearchIcon className="search-icon" />
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} type="search" className="input" autoComplete="off" {...input} />
      {children}
    </div>
  );
}

export interface FilterSelectProps {
  id: string;
  /** The accessible name, visually hidden. */
  label: string;
  /** The first option, which means no filter: “All statuses”. */
  allLabel: string;
  value: string;
  /** The chosen value, or null for the “all” option. */
  onChange: (value: string | null) => void;
  /** The options (or optgroups) after the “all” option. */
  children: ReactNode;
}

/** A select that narrows a list, with a visually hidden label and an “all” option first. */
export function FilterSelect({ id, label, allLabel, value, onChange, children }: FilterSelectProps) {
  return (
    <>
      <label className="sr-only" htmlFor={id}>
        {label}
      </label>
      <select id={id} className="input input-select" value={value} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">{allLabel}</option>
        {children}
      </select>
    </>
  );
}
