import type { ReactNode, TableHTMLAttributes } from 'react';

const CAPTION_CLASS = { hidden: 'visually-hidden', shown: undefined, small: 'small' } as const;

/**
 * A table of the console: its caption (for screen readers only, unless `caption` is shown),
 * one heading per column, and the rows given as children. A wide table scrolls inside its own
 * frame on a narrow screen instead of widening the page; `responsive` ones turn each row into a
 * card there (narrow.css reads the cells' data-label).
 */
export function DataTable({
  caption,
  captionStyle = 'hidden',
  columns,
  className = 'data-table responsive',
  scroll = true,
  children,
  ...attributes
}: {
  caption: ReactNode;
  captionStyle?: keyof typeof CAPTION_CLASS;
  /** The column headings, in order (a falsy one is left out: a column shown only sometimes). */
  columns: ReactNode[];
  className?: string;
  scroll?: boolean;
  children: ReactNode;
} & Omit<TableHTMLAttributes<HTMLTableElement>, 'className' | 'children'>) {
  const table = (
    <table className={className} {...attributes}>
      <caption className={CAPTION_CLASS[captionStyle]}>{caption}</caption>
      <thead>
        <tr>
          {columns.filter(Boolean).map((heading, index) => (
            <th scope="col" key={index}>
              {heading}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
  return scroll ? <div className="table-scroll">{table}</div> : table;
}

/** The row a toggle button opens under a table row; `id` is what the button's aria-controls names. */
export function DetailRow({ id, colSpan, children }: { id: string; colSpan: number; children: ReactNode }) {
  return (
    <tr className="history-row">
      <td colSpan={colSpan} id={id}>
        {children}
      </td>
    </tr>
  );
}
