/** The app's screens, in navigation order. */
export const ROUTES = [
  { id: "contacts", label: "Contacts", shortcut: "1" },
  { id: "pending", label: "Pending changes", shortcut: "2" },
  { id: "activity", label: "Activity", shortcut: "3" },
  { id: "settings", label: "Settings", shortcut: "4" },
] as const;

/** One screen's identifier, as it appears in the URL hash (`#/contacts`). */
export type RouteId = (typeof ROUTES)[number]["id"];

/** The screen shown when the hash names none. */
export const DEFAULT_ROUTE: RouteId = "contacts";

/** Reads the screen a location hash names, falling back to the default screen. */
export function parseHash(hash: string): RouteId {
  const id = hash.replace(/^#\/?/, "").split(/[/?]/)[0];
  return ROUTES.find((route) => route.id === id)?.id ?? DEFAULT_ROUTE;
}

/** The hash that shows a screen (and, for Contacts, one contact: `#/contacts/ID`). */
export function hrefFor(id: RouteId, detail?: string): string {
  return detail ? `#/${id}/${encodeURIComponent(detail)}` : `#/${id}`;
}

/** The record a location hash names after its screen (`#/contacts/ID`), if any. */
export function detailOf(hash: string): string | null {
  const parts = hash.replace(/^#\/?/, "").split("?")[0]?.split("/") ?? [];
  return parts[1] ? decodeURIComponent(parts[1]) : null;
}

/** The screen a navigation shortcut (Ctrl/⌘ + digit) opens, if any. */
export function routeForShortcut(key: string): RouteId | undefined {
  return ROUTES.find((route) => route.shortcut === key)?.id;
}
