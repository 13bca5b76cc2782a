/** Placeholder: the engine view. */
import { PageTitle } from "../../components/ui";

export default function EngineView() {
  return <PageTitle>Engine</PageTitle>;
}
