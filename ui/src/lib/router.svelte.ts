import { detailOf, hrefFor, parseHash, type RouteId } from "./routes";

/**
 * The current screen, kept in the URL hash so that reloads and the webview's
 * back/forward keep the user where they were.
 */
export class Router {
  current: RouteId = $state(parseHash(window.location.hash));
  /** The record the hash names on the current screen (a contact's id), if any. */
  detail: string | null = $state(detailOf(window.location.hash));

  #onHashChange = () => {
    this.current = parseHash(window.location.hash);
    this.detail = detailOf(window.location.hash);
  };

  constructor() {
    window.addEventListener("hashchange", this.#onHashChange);
  }

  /** Shows a screen (and on it, `detail`). */
  go(id: RouteId, detail?: string): void {
    const href = hrefFor(id, detail);
    if (window.location.hash !== href) {
      window.location.hash = href;
    }
    this.current = id;
    this.detail = detail ?? null;
  }

  /** Stops following the hash (component teardown, tests). */
  destroy(): void {
    window.removeEventListener("hashchange", this.#onHashChange);
  }
}
