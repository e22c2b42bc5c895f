import { type AppInfo, type CommandError, commands } from "./bindings";

/** A failed command, carrying the core's machine-readable kind for the UI to act on. */
export class ApiError extends Error {
  readonly kind: CommandError["kind"];

  constructor(error: CommandError) {
    super(error.message);
    this.name = "ApiError";
    this.kind = error.kind;
  }
}

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

function unwrap<T>(result: Result<T>): T {
  if (result.status === "error") {
    throw new ApiError(result.error);
  }
  return result.data;
}

/** The app's version and where its data lives. */
export async function getAppInfo(): Promise<AppInfo> {
  return unwrap(await commands.appInfo());
}
