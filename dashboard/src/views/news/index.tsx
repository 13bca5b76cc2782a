/** Placeholder: the news view. */
import { PageTitle } from "../../components/ui";

export default function NewsView() {
  return <PageTitle>News</PageTitle>;
}
