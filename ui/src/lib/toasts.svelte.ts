/** How a toast looks. */
export type ToastKind = "info" | "success" | "error";

/** One message in the corner. */
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

/** How long a toast stays, by kind (errors stay until dismissed). */
const LIFETIME: Record<ToastKind, number | null> = { info: 4000, success: 4000, error: null };

/**
 * Short messages about what just happened (a sync's result, an error), shown over the
 * screen without moving it, each dismissible.
 */
export class Toasts {
  items: Toast[] = $state([]);
  #next = 1;

  /** Shows a message; an identical one already shown is not repeated. */
  show(kind: ToastKind, text: string): void {
    if (this.items.some((t) => t.kind === kind && t.text === text)) return;
    const id = this.#next++;
    this.items = [...this.items.slice(-3), { id, kind, text }];
    const lifetime = LIFETIME[kind];
    if (lifetime != null) setTimeout(() => this.dismiss(id), lifetime);
  }

  /** Removes a message. */
  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
