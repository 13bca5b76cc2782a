/** The paged table's states and its header cells, with a real query client and a query
 * function that answers from memory (no network: the states are what is under test). */
import { QueryClient, QueryClientProvider, useQuery } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { PagedTable, rowRule, Td, type Page } from "./Table";

const ROWS = ["alpha", "beta", "gamma", "delta", "epsilon"];

function List({ answer }: { answer: (offset: number) => Promise<Page<string>> }) {
  const [offset, setOffset] = useState(0);
  const query = useQuery({ queryKey: ["rows", offset], queryFn: () => answer(offset), retry: false });
  return (
    <PagedTable
      query={query}
      empty="Nothing yet."
      label="Rows"
      columns={["Name", { label: "Length", right: true }]}
      paging={{ offset, limit: 2, onPage: setOffset }}
      row={(name) => (
        <tr key={name} data-testid="row" className={rowRule}>
          <Td>{name}</Td>
          <Td right>{name.length}</Td>
        </tr>
      )}
    />
  );
}

function renderList(answer: (offset: number) => Promise<Page<string>>) {
  const client = new QueryClient();
  return render(
    <QueryClientProvider client={client}>
      <List answer={answer} />
    </QueryClientProvider>,
  );
}

const pages = async (offset: number): Promise<Page<string>> => ({ items: ROWS.slice(offset, offset + 2), total: ROWS.length });

describe("PagedTable", () => {
  it("shows loading, then a page in a named, focusable scroll region with column headers", async () => {
    renderList(pages);
    expect(screen.getByRole("status")).toHaveTextContent("Loading");
    const region = await screen.findByRole("region", { name: "Rows" });
    expect(region).toHaveAttribute("tabindex", "0");
    const headers = within(region).getAllByRole("columnheader");
    expect(headers.map((h) => [h.textContent, h.getAttribute("scope")])).toEqual([
      ["Name", "col"],
      ["Length", "col"],
    ]);
    expect(headers[1]).toHaveClass("text-right");
    expect(screen.getAllByTestId("row").map((r) => r.textContent)).toEqual(["alpha5", "beta4"]);
    expect(screen.getByTestId("pager-range")).toHaveTextContent("1–2 of 5");
  });

  it("pages through the list", async () => {
    renderList(pages);
    await screen.findByRole("region", { name: "Rows" });
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByText("gamma")).toBeInTheDocument();
    expect(screen.getByTestId("pager-range")).toHaveTextContent("3–4 of 5");
  });

  it("says so when the list is empty", async () => {
    renderList(async () => ({ items: [], total: 0 }));
    expect(await screen.findByText("Nothing yet.")).toBeInTheDocument();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("keeps the table and the pager on a page past the end, to come back", async () => {
    renderList(async () => ({ items: [], total: 3 }));
    expect(await screen.findByRole("table")).toBeInTheDocument();
    expect(screen.getByTestId("pager-range")).toHaveTextContent("of 3");
    expect(screen.queryByText("Nothing yet.")).toBeNull();
  });

  it("shows the error's line", async () => {
    renderList(async () => {
      throw new Error("the server is down");
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("the server is down");
  });
});
