/** The trail behind one trade, in the order it happened: the news the engine had read, the
 * signal and each strategy's vote, the entry decision's risk checks, the orders and fills,
 * and how it ended — the exit and what the learning engine made of it. */
import { useState, type ReactNode } from "react";
import { safeHref } from "../../lib/url";
import type { components } from "../../api/schema";
import { OrdersTable, TraceTable } from "../../components/DecisionTrace";
import { HeadRow, rowRule, ScrollTable, Td, Th } from "../../components/Table";
import { Badge, Button, cx, ErrorLine, Loading } from "../../components/ui";
import { dateTime, duration, money, num, pct, qty, sentimentBand, signedFixed, tone, toneClass } from "../../lib/format";
import { useDecision, useTrade } from "./queries";
import { bracketExit, EXIT_WORDS } from "./trail";
import { deriveVotes, learningCredit, type VoteSide } from "./votes";

type Decision = components["schemas"]["DecisionOut"];
type NewsItem = components["schemas"]["NewsItemOut"];
type Signal = components["schemas"]["SignalOut"];
type Outcome = components["schemas"]["OutcomeOut"];
type TradeDetail = components["schemas"]["TradeDetailOut"];

const NEWS_SHOWN = 6;

const sideBadge: Record<VoteSide, string> = {
  long: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  short: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  neutral: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
};

function Section({ step, title, testId, children, className }: { step: number; title: string; testId: string; children: ReactNode; className?: string }) {
  return (
    <section data-testid={testId} className={cx("min-w-0 rounded-lg border border-slate-200 bg-white p-3 dark:border-slate-800 dark:bg-slate-900", className)}>
      <h3 className="mb-2 flex items-center gap-2 text-sm font-semibold">
        <span aria-hidden="true" className="inline-flex h-5 w-5 items-center justify-center rounded-full bg-slate-200 text-xs dark:bg-slate-700">
          {step}
        </span>
        {title}
      </h3>
      {children}
    </section>
  );
}

function Facts({ items, narrow }: { items: Array<[string, ReactNode]>; narrow?: boolean }) {
  return (
    <dl className={cx("mb-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-3", narrow ? "xl:grid-cols-5" : "lg:grid-cols-5")}>
      {items.map(([label, value]) => (
        <div key={label} className="min-w-0">
          <dt className="text-xs text-slate-600 dark:text-slate-400">{label}</dt>
          <dd className="break-words tabular-nums">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A wide shared table that scrolls sideways on a phone: given a readable width there
 * instead of being crushed, so the table's own scroll box never overflows. */
function Scroller({ label, children }: { label: string; children: ReactNode }) {
  return (
    <ScrollTable label={label}>
      <div className="max-md:w-[60rem]">{children}</div>
    </ScrollTable>
  );
}

function NewsSection({ news, symbol }: { news: NewsItem[]; symbol: string }) {
  const [all, setAll] = useState(false);
  const shown = all ? news : news.slice(0, NEWS_SHOWN);
  return (
    <Section step={1} title={`News before entry (${news.length})`} testId="trail-news">
      {news.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No scored news about {symbol} in the 3 days before entry.</p>
      ) : (
        <ul className="space-y-2">
          {shown.map((item) => {
            const band = sentimentBand(item.score);
            return (
              <li key={item.id} data-testid="trail-news-item" className="flex gap-2 text-sm">
                <span className="shrink-0 pt-0.5" title={`${band.label}, confidence ${pct(item.confidence, { digits: 0 })}`}>
                  <Badge className={cx(band.className, "min-w-[3.25rem] justify-center tabular-nums")}>{signedFixed(item.score, 2)}</Badge>
                </span>
                <div className="min-w-0">
                  <NewsLink url={item.url} title={item.title} />
                  <div className="text-xs text-slate-600 dark:text-slate-400">
                    {item.source} · {dateTime(item.published_at)} · {band.label} by <span className="font-mono">{item.model}</span>
                  </div>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {news.length > NEWS_SHOWN && (
        <Button variant="ghost" className="mt-2 px-2 py-0.5 text-xs" aria-expanded={all} onClick={() => setAll(!all)}>
          {all ? "Show fewer" : `Show all ${news.length}`}
        </Button>
      )}
    </Section>
  );
}

function SignalSection({ signal, contributions }: { signal: Signal | null; contributions: Record<string, number> }) {
  const votes = deriveVotes(signal, contributions);
  return (
    <Section step={2} title="Signal and votes" testId="trail-votes">
      {signal ? (
        <Facts
          narrow
          items={[
            ["Direction", <Badge className={sideBadge[signal.direction === "short" ? "short" : signal.direction === "long" ? "long" : "neutral"]}>{signal.direction}</Badge>],
            ["Strength", num(signal.strength, 3)],
            ["Confidence", pct(signal.confidence, { digits: 0 })],
            ["Price", money(signal.price)],
            ["At", dateTime(signal.ts)],
          ]}
        />
      ) : (
        <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">The opening signal was not kept; the votes below are the trade's recorded contributions.</p>
      )}
      {votes.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No strategy votes recorded.</p>
      ) : (
        <ScrollTable label="Strategy votes">
          <table className="w-full text-left text-sm">
            <HeadRow>
              <Th dense>Strategy</Th>
              <Th dense>Vote</Th>
              <Th dense right>Strength</Th>
              <Th dense right title="Its share of the ensemble weight when the signal was made">Weight</Th>
              <Th dense right>Contribution</Th>
              <Th dense>Share of score</Th>
            </HeadRow>
            <tbody>
              {votes.map((v) => (
                <tr key={v.strategy} data-testid="vote-row" data-strategy={v.strategy} className={rowRule}>
                  <Td dense className="font-medium">{v.strategy}</Td>
                  <Td dense>
                    <Badge className={sideBadge[v.vote]}>{v.vote}</Badge>
                  </Td>
                  <Td dense right>{v.strength === null ? "—" : num(v.strength, 3)}</Td>
                  <Td dense right data-testid="vote-weight">{v.weight === null ? "—" : pct(v.weight, { digits: 0 })}</Td>
                  <Td dense right className={toneClass[tone(v.contribution)]}>{signedFixed(v.contribution)}</Td>
                  <Td dense>
                    <ShareBar share={v.share} />
                  </Td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollTable>
      )}
    </Section>
  );
}

/** A small bar for a share in [-1, 1]; against the signal (negative) in rose. */
function ShareBar({ share }: { share: number | null }) {
  if (share === null) return <span className="text-slate-600 dark:text-slate-400">—</span>;
  const width = Math.min(Math.abs(share), 1) * 100;
  return (
    <span className="flex items-center gap-2">
      <span aria-hidden="true" className="h-2 w-16 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700">
        <span className={cx("block h-full rounded-full", share < 0 ? "bg-rose-500" : "bg-sky-500")} style={{ width: `${width}%` }} />
      </span>
      <span className="text-xs tabular-nums">{pct(share, { digits: 0 })}</span>
    </span>
  );
}

function decisionFacts(d: Decision): Array<[string, ReactNode]> {
  return [
    ["Action", `${d.action}${d.side ? ` · ${d.side}` : ""}`],
    ["Size", `${qty(d.quantity)} @ ${money(d.reference_price)}`],
    ["Order", `${d.order_type}${d.limit_price ? ` ${money(d.limit_price)}` : ""}`],
    ["Stop / target", `${money(d.stop_loss)} / ${money(d.take_profit)}`],
    ["At", dateTime(d.ts)],
  ];
}

function EntrySection({ decision }: { decision: Decision | null }) {
  return (
    <Section step={3} title="Entry decision: risk checks" testId="trail-checks">
      {!decision ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">The entry decision was not recorded.</p>
      ) : (
        <>
          <Facts items={decisionFacts(decision)} />
          {decision.reason && <p className="mb-2 text-sm text-slate-700 dark:text-slate-300">{decision.reason}</p>}
          {decision.trace.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">No checks recorded.</p>
          ) : (
            <Scroller label="Entry risk checks">
              <TraceTable trace={decision.trace} />
            </Scroller>
          )}
        </>
      )}
    </Section>
  );
}

function OrdersOf({ label, short, id, run }: { label: string; short: string; id: string | null | undefined; run: string | undefined }) {
  const decision = useDecision(id, run);
  return (
    <div className="min-w-0">
      <h4 className="mb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">{label}</h4>
      {!id ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">No decision recorded.</p>
      ) : decision.isPending ? (
        <Loading />
      ) : decision.isError ? (
        <ErrorLine error={decision.error} />
      ) : (
        <Scroller label={`${short} orders and fills`}>
          <OrdersTable orders={decision.data.orders} />
        </Scroller>
      )}
    </div>
  );
}

function OrdersSection({ entryId, exitId, run }: { entryId: string; exitId: string; run: string | undefined }) {
  const bracket = entryId === exitId;
  return (
    <Section step={4} title="Orders and fills" testId="trail-orders">
      <div className="space-y-3">
        <OrdersOf label={bracket ? "Entry, with the stop-loss and take-profit orders that closed it" : "Entry"} short="Entry" id={entryId} run={run} />
        {!bracket && <OrdersOf label="Exit" short="Exit" id={exitId} run={run} />}
      </div>
    </Section>
  );
}

const verdictBadge = {
  credited: "bg-emerald-100 text-emerald-900 dark:bg-emerald-900 dark:text-emerald-100",
  blamed: "bg-rose-100 text-rose-900 dark:bg-rose-900 dark:text-rose-100",
  unchanged: "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100",
} as const;

function OutcomeBlock({ outcome }: { outcome: Outcome }) {
  const credits = learningCredit(outcome);
  return (
    <div data-testid="trail-outcome" className="mt-3">
      <h4 className="mb-1 text-xs font-semibold text-slate-600 uppercase dark:text-slate-400">Learning outcome</h4>
      <Facts
        items={[
          ["Return", <span className={toneClass[tone(outcome.return_pct)]}>{pct(outcome.return_pct, { signed: true })}</span>],
          ["R multiple", <span className={toneClass[tone(outcome.risk_adjusted)]}>{signedFixed(outcome.risk_adjusted, 2)} R</span>],
          ["P&L", <span className={toneClass[tone(outcome.pnl)]}>{money(outcome.pnl, { signed: true })}</span>],
          ["Held", duration(outcome.hold_seconds)],
        ]}
      />
      {credits.length > 0 && (
        <ul className="flex flex-wrap gap-2 text-sm">
          {credits.map((c) => (
            <li key={c.strategy} data-testid="trail-credit" data-strategy={c.strategy} className="flex items-center gap-1.5 rounded-lg border border-slate-200 px-2 py-1 dark:border-slate-700">
              <span className="font-medium">{c.strategy}</span>
              <Badge className={verdictBadge[c.verdict]}>{c.verdict}</Badge>
              <span className="text-xs text-slate-600 dark:text-slate-400">
                {pct(c.responsibility, { digits: 0 })} responsible · voted {c.withTrade ? "with" : "against"} the trade
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A trade its bracket closed: which leg filled, at what price, when. */
function BracketLine({ entry, run, trade }: { entry: Decision | null; run: string | undefined; trade: Pick<TradeDetail, "entry_decision_id" | "exit_price" | "exit_ts"> }) {
  const orders = useDecision(trade.entry_decision_id, run);
  const exit = orders.data ? bracketExit(orders.data.orders, entry?.side ?? null) : null;
  return (
    <p className="mb-2 text-sm text-slate-700 dark:text-slate-300" data-testid="trail-bracket-exit" data-exit-kind={exit?.kind ?? ""}>
      No exit decision: the engine placed the exits with the entry, and {exit ? EXIT_WORDS[exit.kind] : "one of them filled"} at {money(trade.exit_price)} on {dateTime(trade.exit_ts)}.
      {entry && (
        <span className="text-slate-600 dark:text-slate-400">
          {" "}
          Stop {money(entry.stop_loss)}, target {money(entry.take_profit)} at entry.
        </span>
      )}
    </p>
  );
}

function ExitSection({ trade, run }: { trade: TradeDetail; run: string | undefined }) {
  const decision = trade.exit_decision;
  const bracket = trade.exit_decision_id === trade.entry_decision_id;
  return (
    <Section step={5} title="Exit and what was learned" testId="trail-exit">
      {bracket ? (
        <BracketLine entry={trade.entry_decision} run={run} trade={trade} />
      ) : !decision ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">The exit decision was not recorded.</p>
      ) : (
        <>
          <Facts items={decisionFacts(decision)} />
          {decision.reason && <p className="mb-2 text-sm text-slate-700 dark:text-slate-300">{decision.reason}</p>}
          {decision.trace.length > 0 && (
            <Scroller label="Exit checks">
              <TraceTable trace={decision.trace} caption="Exit checks" />
            </Scroller>
          )}
        </>
      )}
      {trade.outcome ? <OutcomeBlock outcome={trade.outcome} /> : <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">Not evaluated by the learning engine.</p>}
    </Section>
  );
}

export function TradeTrail({ tradeId, run }: { tradeId: string; run: string | undefined }) {
  const trade = useTrade(tradeId, run);
  if (trade.isPending) return <Loading label="Loading the trail…" />;
  if (trade.isError) return <ErrorLine error={trade.error} />;
  const t = trade.data;
  return (
    <div data-testid="trade-trail" className="space-y-3">
      <div className="grid grid-cols-1 items-start gap-3 lg:grid-cols-2">
        <NewsSection news={t.news} symbol={t.symbol} />
        <SignalSection signal={t.signal} contributions={t.contributions} />
      </div>
      <EntrySection decision={t.entry_decision} />
      <OrdersSection entryId={t.entry_decision_id} exitId={t.exit_decision_id} run={run} />
      <ExitSection trade={t} run={run} />
    </div>
  );
}

/** The item's title, a link only when its URL is a web address. */
function NewsLink({ url, title }: { url: string; title: string }) {
  const href = safeHref(url);
  if (!href) return <span className="font-medium break-words">{title}</span>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer" className="font-medium break-words text-sky-800 hover:underline dark:text-sky-300">
      {title}
    </a>
  );
}
