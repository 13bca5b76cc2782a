/** The scored items, newest published first: ticker, score badge (value, model,
 * confidence), the headline as a link, source and time; live arrivals marked "new". */
import { cx } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { safeHref, type NewsRow } from "./logic";
import { ScoreBadge } from "./ScoreBadge";

function NewsItem({ row, isNew }: { row: NewsRow; isNew: boolean }) {
  const href = safeHref(row.url);
  const title = row.title || "(untitled)";
  return (
    <li
      data-testid="news-item"
      data-ticker={row.ticker}
      data-new={isNew ? "true" : undefined}
      className={cx(
        "flex flex-col gap-1 border-b border-l-2 border-b-slate-100 py-2 pr-2 pl-2 last:border-b-0 sm:flex-row sm:items-start sm:gap-3 dark:border-b-slate-800/60",
        isNew ? "border-l-sky-500 bg-sky-50 dark:bg-sky-950/40" : "border-l-transparent",
      )}
    >
      <div className="flex shrink-0 items-center gap-2 sm:w-60">
        <span className="w-14 shrink-0 font-mono text-sm font-semibold">{row.ticker}</span>
        <ScoreBadge score={row.score} model={row.model} confidence={row.confidence} />
      </div>
      <div className="min-w-0 flex-1">
        {href ? (
          <a href={href} target="_blank" rel="noopener noreferrer" className="text-sm font-medium [overflow-wrap:anywhere] text-slate-900 hover:underline dark:text-slate-100">
            {title}
          </a>
        ) : (
          <span className="text-sm font-medium [overflow-wrap:anywhere]">{title}</span>
        )}
        {row.body && row.body !== row.title && <p className="mt-0.5 line-clamp-2 text-xs [overflow-wrap:anywhere] text-slate-700 dark:text-slate-300">{row.body}</p>}
        <div className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-slate-600 dark:text-slate-400">
          <span>{row.source || "unknown source"}</span>
          <span aria-hidden>·</span>
          <time dateTime={row.published_at}>{dateTime(row.published_at)} UTC</time>
          {isNew && <span className="rounded-full bg-sky-100 px-1.5 py-px text-[11px] font-semibold text-sky-900 dark:bg-sky-900 dark:text-sky-100">new</span>}
        </div>
      </div>
    </li>
  );
}

export function NewsList({ rows, fresh }: { rows: NewsRow[]; fresh: ReadonlySet<string> }) {
  return (
    <ul data-testid="news-list" aria-label="Scored news" className="-mx-2">
      {rows.map((r) => (
        <NewsItem key={r.key} row={r} isNew={fresh.has(r.key)} />
      ))}
    </ul>
  );
}
