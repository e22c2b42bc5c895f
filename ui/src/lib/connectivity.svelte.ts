/**
 * Whether this machine reports a network connection. The sync engine's own probe of
 * GHL refines this once an account is connected; until then the OS's view is what we
 * can honestly show.
 */
export class Connectivity {
  online: boolean = $state(navigator.onLine);

  #update = () => {
    this.online = navigator.onLine;
  };

  constructor() {
    window.addEventListener("online", this.#update);
    window.addEventListener("offline", this.#update);
  }

  /** Stops listening (component teardown, tests). */
  destroy(): void {
    window.removeEventListener("online", this.#update);
    window.removeEventListener("offline", this.#update);
  }
}
