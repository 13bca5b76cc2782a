/** What a card shows for a query before (or instead of) its data: loading, the error's one
 * line, or the empty message. Every card that reads the API walks this same ladder; here it
 * is written once, so each card says only what its data looks like. */
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Empty, ErrorLine, Loading } from "./ui";

export function Loaded<T>({
  query,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  /** Whether the data has nothing to show (then `empty` is shown instead of `children`). */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorLine error={query.error} />;
  if (isEmpty?.(query.data)) return <Empty>{empty}</Empty>;
  return <>{children(query.data)}</>;
}
