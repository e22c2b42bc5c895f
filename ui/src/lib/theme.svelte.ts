/** The themes the user can choose; `system` follows the OS. */
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "ghl-desk.theme";

/**
 * The light or dark theme, chosen in the app (kept between runs) or following the OS.
 * The choice is applied as `data-theme` on the document, which the stylesheet reads.
 */
export class Theme {
  choice: ThemeChoice = $state(read());

  constructor() {
    this.#apply();
  }

  /** Chooses a theme. */
  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      localStorage.setItem(KEY, choice);
    } catch {
      // Storage can be unavailable; the choice then lasts for this run.
    }
    this.#apply();
  }

  /** Light, dark, light… (the palette's "Toggle theme"). */
  toggle(): void {
    this.set(this.effective() === "dark" ? "light" : "dark");
  }

  /** The theme in force. */
  effective(): "light" | "dark" {
    if (this.choice !== "system") return this.choice;
    return window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  #apply(): void {
    if (this.choice === "system") delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = this.choice;
  }
}

function read(): ThemeChoice {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark" || saved === "system") return saved;
  } catch {
    // No storage: follow the OS.
  }
  return "system";
}
