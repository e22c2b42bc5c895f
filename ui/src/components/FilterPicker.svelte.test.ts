import { cleanup, fireEvent, render, screen } from "@testing-library/svelte";
import { afterEach, expect, it, vi } from "vitest";
import type { Choice } from "../lib/choices";
import FilterPicker from "./FilterPicker.svelte";

// jsdom lays nothing out.
Element.prototype.scrollIntoView ??= () => {};

afterEach(cleanup);

const BUSINESSES: Choice[] = Array.from({ length: 4000 }, (_, i) => ({
  value: `b${i}`,
  label: `Business ${i}`,
  count: i + 1,
}));

function picker(value: string | null = null) {
  const onchange = vi.fn();
  render(FilterPicker, {
    label: "Filter by business",
    allLabel: "All businesses",
    choices: BUSINESSES,
    value,
    onchange,
    testid: "business-filter",
  });
  return onchange;
}

const options = () => screen.queryAllByTestId("business-filter-option");

it("draws no option until opened, then a screenful and how many more there are", async () => {
  picker();
  expect(options()).toHaveLength(0);
  await fireEvent.click(screen.getByTestId("business-filter"));
  // "All businesses" and the first 50.
  expect(options()).toHaveLength(51);
  expect(options()[0]).toHaveTextContent("All businesses");
  expect(screen.getByText("3,950 more: type to narrow")).toBeInTheDocument();
  expect(screen.getByTestId("business-filter-search")).toHaveFocus();
});

it("narrows by what is typed and picks with the keyboard", async () => {
  const onchange = picker();
  await fireEvent.click(screen.getByTestId("business-filter"));
  const search = screen.getByTestId("business-filter-search");
  await fireEvent.input(search, { target: { value: "business 3999" } });
  expect(options().map((o) => o.textContent)).toEqual(["Business 3999 4,000"]);
  await fireEvent.input(search, { target: { value: "business 12" } });
  expect(options()[0]).toHaveTextContent("Business 12");
  await fireEvent.keyDown(search, { key: "ArrowDown" });
  await fireEvent.keyDown(search, { key: "Enter" });
  expect(onchange).toHaveBeenCalledWith("b120");
  expect(options()).toHaveLength(0);
  expect(screen.getByTestId("business-filter")).toHaveFocus();
});

it("starts the keyboard on the current choice when reopened", async () => {
  const onchange = picker("b3");
  await fireEvent.click(screen.getByTestId("business-filter"));
  const current = options().find((o) => o.getAttribute("aria-selected") === "true");
  expect(current).toHaveTextContent("Business 3");
  expect(current).toHaveClass("chosen");
  const search = screen.getByTestId("business-filter-search");
  await fireEvent.keyDown(search, { key: "Home" });
  await fireEvent.keyDown(search, { key: "Enter" });
  expect(onchange).toHaveBeenCalledWith(null);
});

it("names the current choice and turns the filter off with the first option", async () => {
  const onchange = picker("b7");
  const button = screen.getByTestId("business-filter");
  expect(button).toHaveTextContent("Business 7");
  expect(button).toHaveAccessibleName("Filter by business: Business 7");
  await fireEvent.click(button);
  await fireEvent.click(options()[0] as HTMLElement);
  expect(onchange).toHaveBeenCalledWith(null);
});

it("closes on Escape without letting the key reach the screen behind", async () => {
  picker();
  const behind = vi.fn();
  document.addEventListener("keydown", behind);
  await fireEvent.click(screen.getByTestId("business-filter"));
  await fireEvent.keyDown(screen.getByTestId("business-filter-search"), { key: "Escape" });
  document.removeEventListener("keydown", behind);
  expect(options()).toHaveLength(0);
  expect(behind).not.toHaveBeenCalled();
});

it("says so when nothing matches", async () => {
  picker();
  await fireEvent.click(screen.getByTestId("business-filter"));
  await fireEvent.input(screen.getByTestId("business-filter-search"), { target: { value: "zzz" } });
  expect(screen.getByText("No match")).toBeInTheDocument();
  await fireEvent.keyDown(screen.getByTestId("business-filter-search"), { key: "Enter" });
  expect(screen.getByText("No match")).toBeInTheDocument();
});
