import { hrefFor, parseHash, type RouteId } from "./routes";

/**
 * The current screen, kept in the URL hash so that reloads and the webview's
 * back/forward keep the user where they were.
 */
export class Router {
  current: RouteId = $state(parseHash(window.location.hash));

  #onHashChange = () => {
    this.current = parseHash(window.location.hash);
  };

  constructor() {
    window.addEventListener("hashchange", this.#onHashChange);
  }

  /** Shows a screen. */
  go(id: RouteId): void {
    if (window.location.hash !== hrefFor(id)) {
      window.location.hash = hrefFor(id);
    }
    this.current = id;
  }

  /** Stops following the hash (component teardown, tests). */
  destroy(): void {
    window.removeEventListener("hashchange", this.#onHashChange);
  }
}
