import { describe, expect, it } from "vitest";
import { DEFAULT_ROUTE, detailOf, hrefFor, parseHash, ROUTES, routeForShortcut } from "./routes";

describe("routes", () => {
  it("reads the screen from the hash", () => {
    expect(parseHash("#/settings")).toBe("settings");
    expect(parseHash("#/pending?x=1")).toBe("pending");
    expect(parseHash("#activity")).toBe("activity");
  });

  it("falls back to the default screen for an empty or unknown hash", () => {
    expect(parseHash("")).toBe(DEFAULT_ROUTE);
    expect(parseHash("#/")).toBe(DEFAULT_ROUTE);
    expect(parseHash("#/no-such-screen")).toBe(DEFAULT_ROUTE);
  });

  it("round-trips every screen through its href", () => {
    for (const route of ROUTES) {
      expect(parseHash(hrefFor(route.id))).toBe(route.id);
    }
  });

  it("names one contact after the Contacts screen", () => {
    const href = hrefFor("contacts", "local_a/b");
    expect(parseHash(href)).toBe("contacts");
    expect(detailOf(href)).toBe("local_a/b");
    expect(detailOf(hrefFor("contacts"))).toBeNull();
  });

  it("maps digit shortcuts to screens in navigation order", () => {
    expect(ROUTES.map((route) => routeForShortcut(route.shortcut))).toEqual(
      ROUTES.map((route) => route.id),
    );
    expect(routeForShortcut("9")).toBeUndefined();
  });
});
