import {
  cancelSignIn,
  getSessionStatus,
  signInDemo,
  signInOAuth,
  signInPrivateIntegration,
  signOut,
} from "./api";
import type { Account } from "./bindings";

/** How a sign-in is going. */
export type SignInPhase = "idle" | "demo" | "browser" | "token";

/**
 * The signed-in location as the UI knows it, and the sign-in in progress. Every change
 * goes through the core; this only mirrors its answers.
 */
export class Session {
  account: Account | null = $state(null);
  keychainPersistent = $state(true);
  phase: SignInPhase = $state("idle");
  error: string | null = $state(null);
  loaded = $state(false);

  /** Reads who is signed in. */
  async refresh(): Promise<void> {
    try {
      const status = await getSessionStatus();
      this.account = status.account ?? null;
      this.keychainPersistent = status.keychainPersistent;
    } catch (err) {
      this.error = message(err);
    } finally {
      this.loaded = true;
    }
  }

  async #run(phase: SignInPhase, action: () => Promise<Account>): Promise<void> {
    this.phase = phase;
    this.error = null;
    try {
      this.account = await action();
    } catch (err) {
      const kind = (err as { kind?: string }).kind;
      this.error = kind === "cancelled" ? null : message(err);
    } finally {
      this.phase = "idle";
    }
  }

  /** Explore the demo. */
  demo(): Promise<void> {
    return this.#run("demo", signInDemo);
  }

  /** Sign in with a Private Integration token. */
  token(token: string, locationId: string): Promise<void> {
    return this.#run("token", () => signInPrivateIntegration(token, locationId));
  }

  /** Sign in with HighLevel in the browser. */
  oauth(clientId: string, clientSecret: string): Promise<void> {
    return this.#run("browser", () => signInOAuth(clientId, clientSecret));
  }

  /** Stop waiting for the browser. */
  cancel(): Promise<void> {
    return cancelSignIn();
  }

  /** Sign out. */
  async signOut(): Promise<void> {
    try {
      await signOut();
      this.account = null;
    } catch (err) {
      this.error = message(err);
    }
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
