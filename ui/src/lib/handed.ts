import type { AccountsStatus, ContactPage, ContactQuery } from "./bindings";

/**
 * What the app read for the first screen while it opened the window, handed to the page
 * before its scripts run (`src-tauri/src/first_screen.rs`): `at` is when, in epoch
 * milliseconds; `firstPage` is the contact list's first page and the query it answers,
 * when a location is open.
 */
export interface FirstScreen {
  at: number;
  accounts: AccountsStatus;
  firstPage: { query: ContactQuery; page: ContactPage } | null;
}

declare global {
  interface Window {
    __ghlDeskFirstScreen?: FirstScreen;
  }
}

/**
 * How much older than the page what it was handed may be. It is read a few hundred
 * milliseconds before the page starts; a page reloaded later gets the same script again,
 * and then asks the core instead.
 */
export const HANDED_FRESH_MS = 5000;

/** What the app handed the page for its first screen, while that is fresh. */
export function handedFirstScreen(): FirstScreen | null {
  const handed = window.__ghlDeskFirstScreen;
  if (!handed || performance.timeOrigin - handed.at >= HANDED_FRESH_MS) return null;
  return handed;
}
