/** Placeholder: the trades view. */
import { PageTitle } from "../../components/ui";

export default function TradesView() {
  return <PageTitle>Trades</PageTitle>;
}
