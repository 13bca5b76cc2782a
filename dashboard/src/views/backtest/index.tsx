/** The backtest view: /backtest (the form, past runs, a comparison via ?compare=a,b) and
 * /backtest/:id (one run's progress and results). */
import { Route, Routes, useParams, useSearchParams } from "react-router";
import { PageTitle } from "../../components/ui";
import { BacktestForm } from "./BacktestForm";
import { Compare } from "./Compare";
import { parseCompare } from "./derive";
import { RunPage } from "./RunPage";
import { RunsList } from "./RunsList";

function Home() {
  const [params] = useSearchParams();
  const compare = parseCompare(params.get("compare"));
  return (
    <div className="flex flex-col gap-4">
      <PageTitle>Backtest</PageTitle>
      {params.has("compare") && <Compare ids={compare} />}
      <BacktestForm />
      <RunsList key={compare.join(",")} initiallyChecked={compare} />
    </div>
  );
}

function Run() {
  const id = useParams().id ?? "";
  // Keyed by id: another run starts from its first page of trades, with no stale data.
  return <RunPage key={id} id={id} />;
}

export default function BacktestView() {
  return (
    <Routes>
      <Route index element={<Home />} />
      <Route path=":id" element={<Run />} />
    </Routes>
  );
}
