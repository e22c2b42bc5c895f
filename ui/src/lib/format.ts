import {
  type CountryCode,
  type MetadataJson,
  parsePhoneNumberFromString,
} from "libphonenumber-js/core";
import metadata from "libphonenumber-js/metadata.min.json";

/**
 * The user's locale when the platform knows it, else US English (a machine whose
 * locale is `C` or unset still shows 2,000 and readable dates).
 */
export const LOCALE: string = pickLocale([...(navigator.languages ?? []), navigator.language]);

/** The first of `wanted` that the platform supports ("C" and other non-tags are skipped). */
export function pickLocale(wanted: readonly (string | undefined)[]): string {
  for (const tag of wanted) {
    if (!tag) continue;
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf([tag]);
      if (supported) return supported;
    } catch {
      // Not a language tag at all.
    }
  }
  return "en-US";
}

const counts = new Intl.NumberFormat(LOCALE);

/** A count as people read it: 2,000 (in the user's locale). */
export function formatCount(n: number): string {
  return counts.format(n);
}

/** "1 contact", "2,000 contacts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The region of the user's locale (`US` for en-US), if it names one. */
function regionOf(locale: string): CountryCode | undefined {
  try {
    return new Intl.Locale(locale).maximize().region as CountryCode | undefined;
  } catch {
    return undefined;
  }
}

/**
 * The user's region, worked out once: the list formats a phone for every row it draws,
 * and an ICU locale made for each would cost more than the formatting.
 */
const REGION = regionOf(LOCALE);

/** Phones already formatted, by region and number: every row the list draws formats one,
 * and a search or a scroll draws mostly the same rows again. */
const phones = new Map<string, string>();

/** How many formatted phones are kept before the memo starts over. */
const PHONES_KEPT = 4096;

/**
 * A phone number as people write it: national format for numbers of the user's own
 * country ((512) 555-0100), international for the others (+44 20 7946 0958). Text that is
 * not a phone number is shown as it is.
 */
export function formatPhone(phone: string | null | undefined, region = REGION): string {
  if (!phone) return "";
  const key = `${region ?? ""} ${phone}`;
  const known = phones.get(key);
  if (known !== undefined) return known;
  const parsed = parsePhoneNumberFromString(
    phone,
    { defaultCountry: region },
    metadata as MetadataJson,
  );
  let shown = phone;
  if (parsed?.isPossible()) {
    shown = parsed.country === region ? parsed.formatNational() : parsed.formatInternational();
  }
  if (phones.size >= PHONES_KEPT) phones.clear();
  phones.set(key, shown);
  return shown;
}

const dates = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium" });
const times = new Intl.DateTimeFormat(LOCALE, { dateStyle: "medium", timeStyle: "short" });
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });

/** A date (no time) from an ISO string, or "" when there is none. */
export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : dates.format(at);
}

/** A date and time from an ISO string or epoch milliseconds. */
export function formatDateTime(when: string | number | null | undefined): string {
  if (when == null || when === "") return "";
  const at = new Date(typeof when === "string" && /^\d+$/.test(when) ? Number(when) : when);
  return Number.isNaN(at.getTime()) ? String(when) : times.format(at);
}

/** "just now", "5 min ago", "yesterday": how long ago epoch milliseconds `at` was. */
export function ago(at: number, now = Date.now()): string {
  const seconds = Math.round((at - now) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (Math.abs(minutes) < 60) return relative.format(minutes, "minute");
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 24) return relative.format(hours, "hour");
  return relative.format(Math.round(hours / 24), "day");
}

/** A contact's name as the app shows it: its name, else email, else phone. */
export function contactName(contact: {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
}): string {
  const full = [contact.firstName, contact.lastName].filter(Boolean).join(" ");
  return full || contact.email || formatPhone(contact.phone) || "(no name)";
}

/** Up to two initials for an avatar. */
export function initials(name: string): string {
  const letters = name
    .split(/\s+/)
    .filter((word) => /\p{L}/u.test(word))
    .map((word) => [...word][0]?.toUpperCase() ?? "");
  return letters.slice(0, 2).join("") || "?";
}

/** A size in bytes as people read it (`12.4 MB`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
