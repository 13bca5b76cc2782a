/** Placeholder: the portfolio view. */
import { PageTitle } from "../../components/ui";

export default function PortfolioView() {
  return <PageTitle>Portfolio</PageTitle>;
}
