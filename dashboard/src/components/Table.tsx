/** The parts every data table is made of, so that one place decides how a table reads and
 * what axe asks of it: a scroll box a keyboard can scroll (a focusable, named region), column
 * headers with `scope="col"`, one header row style, one cell padding and one row rule. The
 * views say only what goes in the cells. */
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { Loaded } from "./Loaded";
import { cx, Pager } from "./ui";

/** A box that scrolls a wide table sideways. Focusable and named, so a keyboard user can
 * scroll it too (axe: scrollable-region-focusable). `bleed` reaches out to the card's edges,
 * so a phone gets the card's padding as table width. */
export function ScrollTable({ label, children, bleed = false, className }: { label: string; children: ReactNode; bleed?: boolean; className?: string }) {
  return (
    <div role="region" aria-label={label} tabIndex={0} className={cx("overflow-x-auto focus-visible:outline-2 focus-visible:outline-sky-600", bleed && "-mx-4 px-4", className)}>
      {children}
    </div>
  );
}

/** The header row: small muted capitals over a rule. */
export function HeadRow({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <thead className={className}>
      <tr className="border-b border-slate-200 text-left text-xs text-slate-600 uppercase dark:border-slate-800 dark:text-slate-400">{children}</tr>
    </thead>
  );
}

interface CellLook {
  /** A figure: right-aligned, in tabular digits. */
  right?: boolean;
  /** Tighter rows, for tables inside a detail panel. */
  dense?: boolean;
}

function cellClass({ right, dense }: CellLook, className: string | undefined): string {
  return cx(dense ? "py-1" : "py-1.5", "pr-3 last:pr-0", right && "text-right tabular-nums", className);
}

/** A column header (`scope="col"`, which axe and screen readers need to name a cell). */
export function Th({ right, dense, className, ...th }: ThHTMLAttributes<HTMLTableCellElement> & CellLook) {
  return <th scope="col" {...th} className={cellClass({ right, dense }, cx("font-medium", className))} />;
}

export function Td({ right, dense, className, ...td }: TdHTMLAttributes<HTMLTableCellElement> & CellLook) {
  return <td {...td} className={cellClass({ right, dense }, className)} />;
}

/** A body row's rule: between rows, none under the last. */
export const rowRule = "border-b border-slate-100 last:border-0 dark:border-slate-800/60";

/** A page of an API list. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Where a paged list is (`offset`, `limit`) and how it moves (`onPage` gets the new offset). */
export interface Paging {
  offset: number;
  limit: number;
  onPage: (offset: number) => void;
}

/** A column of a {@link PagedTable}: its header, or the header with how it looks. */
export type Column = string | ({ label: ReactNode } & Pick<ThHTMLAttributes<HTMLTableCellElement>, "className" | "title"> & CellLook);

/** A paged API list as a card's body: loading, the error's line or `empty` (nothing at
 * all), else the table (`columns`; `row`: one `<tr>` with its key per item) with the pager
 * under it. An offset past the end keeps the pager, to come back. */
export function PagedTable<T>({
  query,
  empty,
  label,
  columns,
  row,
  paging,
  className,
  bleed,
}: {
  query: UseQueryResult<Page<T>>;
  empty: ReactNode;
  label: string;
  columns: readonly Column[];
  row: (item: T, index: number) => ReactNode;
  paging: Paging;
  /** The table's own classes (a minimum width), beside `w-full text-left text-sm`. */
  className?: string;
  bleed?: boolean;
}) {
  return (
    <Loaded query={query} isEmpty={(page) => page.total === 0} empty={empty}>
      {(page) => (
        <>
          <ScrollTable label={label} bleed={bleed}>
            <table className={cx("w-full text-left text-sm", className)}>
              <HeadRow>
                {columns.map((column, i) => {
                  const { label: text, ...look } = typeof column === "string" ? { label: column } : column;
                  return (
                    <Th key={i} {...look}>
                      {text}
                    </Th>
                  );
                })}
              </HeadRow>
              <tbody>{page.items.map(row)}</tbody>
            </table>
          </ScrollTable>
          <Pager offset={paging.offset} limit={paging.limit} total={page.total} onChange={paging.onPage} />
        </>
      )}
    </Loaded>
  );
}
