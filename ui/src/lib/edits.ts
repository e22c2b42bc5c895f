import { ApiError, applyEdit } from "./api";
import type { Applied_Serialize as Applied, Edit } from "./bindings";

/** How an edit went: applied (queued), or refused with a message per field. */
export type EditOutcome =
  | { ok: true; applied: Applied }
  | { ok: false; message: string; fields: Record<string, string> };

/** Applies an edit, turning a refusal into messages the form shows beside its fields. */
export async function edit(change: Edit): Promise<EditOutcome> {
  try {
    return { ok: true, applied: await applyEdit(change) };
  } catch (err) {
    if (err instanceof ApiError) {
      const fields: Record<string, string> = {};
      for (const problem of err.fields ?? []) fields[problem.field] = problem.message;
      return { ok: false, message: err.message, fields };
    }
    return { ok: false, message: err instanceof Error ? err.message : String(err), fields: {} };
  }
}
