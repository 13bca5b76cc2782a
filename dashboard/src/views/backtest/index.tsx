/** Placeholder: the backtest view. */
import { PageTitle } from "../../components/ui";

export default function BacktestView() {
  return <PageTitle>Backtest</PageTitle>;
}
