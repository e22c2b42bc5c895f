import {
  cancelSignIn,
  getAccountsStatus,
  keepAgencyLocations,
  openAccount,
  signInDemo,
  signInOAuth,
  signInPrivateIntegration,
  signOut,
} from "./api";
import type { Account, AccountsStatus, AgencyLocation, ChosenLocation } from "./bindings";
import { handedFirstScreen } from "./handed";

/** How a sign-in is going. */
export type SignInPhase = "idle" | "demo" | "browser" | "token" | "agency" | "opening";

/** An agency signed in, waiting for the user to choose locations. */
export interface AgencyChoice {
  companyId: string;
  locations: AgencyLocation[];
}

/**
 * The open location, the others kept on this computer, and the sign-in in progress as
 * the UI knows them. Every change goes through the core; this only mirrors its answers.
 */
export class Accounts {
  account: Account | null = $state(null);
  kept: Account[] = $state([]);
  keychainPersistent = $state(true);
  builtInApp = $state(false);
  agency: AgencyChoice | null = $state(null);
  phase: SignInPhase = $state("idle");
  error: string | null = $state(null);
  loaded = $state(false);

  /** Starts from what the app handed the page for its first screen, if anything. */
  constructor() {
    const handed = handedFirstScreen();
    if (handed) {
      this.#apply(handed.accounts);
      this.loaded = true;
    }
  }

  #apply(status: AccountsStatus): void {
    this.account = status.account ?? null;
    this.kept = status.accounts ?? [];
    this.keychainPersistent = status.keychainPersistent;
    this.builtInApp = status.builtInApp ?? false;
  }

  /** Reads who is signed in and what is kept. */
  async refresh(): Promise<void> {
    try {
      this.#apply(await getAccountsStatus());
    } catch (err) {
      this.error = message(err);
    } finally {
      this.loaded = true;
    }
  }

  async #run(phase: SignInPhase, action: () => Promise<Account | null>): Promise<void> {
    this.phase = phase;
    this.error = null;
    try {
      const account = await action();
      if (account) {
        this.account = account;
        await this.refresh();
      }
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

  /** Sign in with HighLevel in the browser; an agency answer waits for a choice. */
  oauth(clientId: string, clientSecret: string): Promise<void> {
    return this.#run("browser", async () => {
      const outcome = await signInOAuth(clientId, clientSecret);
      if (outcome.kind === "location") return outcome.account;
      this.agency = { companyId: outcome.companyId, locations: outcome.locations };
      return null;
    });
  }

  /** Keep the chosen agency locations offline. */
  keepAgency(chosen: ChosenLocation[]): Promise<void> {
    const agency = this.agency;
    if (!agency) return Promise.resolve();
    return this.#run("agency", async () => {
      const account = await keepAgencyLocations(agency.companyId, chosen);
      this.agency = null;
      return account;
    });
  }

  /** Forget the agency's answer without keeping any location. */
  dropAgency(): void {
    this.agency = null;
  }

  /** Open another kept location. */
  open(locationId: string): Promise<void> {
    return this.#run("opening", () => openAccount(locationId));
  }

  /** Stop waiting for the browser. */
  cancel(): Promise<void> {
    return cancelSignIn();
  }

  /** Sign out of a location (the open one by default). */
  async signOut(locationId = this.account?.locationId): Promise<void> {
    if (!locationId) return;
    try {
      await signOut(locationId);
      if (this.account?.locationId === locationId) this.account = null;
      await this.refresh();
    } catch (err) {
      this.error = message(err);
    }
  }
}

/** A location's name when known, else its id. */
export function accountLabel(account: Account): string {
  return account.name ?? account.locationId;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
