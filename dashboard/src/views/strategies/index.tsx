/** Placeholder: the strategies view. */
import { PageTitle } from "../../components/ui";

export default function StrategiesView() {
  return <PageTitle>Strategies</PageTitle>;
}
