//! Every behaviour that GHL's documentation leaves open (the "open questions" of our API
//! notes), decided once, here, so that the rest of the sandbox only refers to these
//! names. A client that copes with these choices copes with the strictest reading of
//! GHL's docs.
//!
//! | question | decision |
//! |---|---|
//! | `Version` header missing or wrong | **400** `{"statusCode":400,"message":"…","error":"Bad Request"}`. Strict on purpose: GHL is lenient in places, but a client that sends the right header per family never depends on that. |
//! | `appId` of `/oauth/installedLocations` | The Marketplace app id, which GHL's client ids carry before their first `-` (`{appId}-{suffix}`); the whole client id is accepted too. |
//! | Version per family | `2021-07-28` for contacts, locations and `/oauth/locationToken`/`installedLocations`; `2021-04-15` for calendars; `/oauth/token` takes none. |
//! | Token errors on `/oauth/token` | HTTP 400 with `{"statusCode":400,"error":"invalid_grant"\|"invalid_client"\|"invalid_request"\|"unsupported_grant_type","error_description":"…","message":"…"}`: RFC 6749 field names (so OAuth libraries parse them) plus GHL's usual `statusCode`/`message`. |
//! | Refresh-token reuse | Refresh tokens are single-use with no grace window: reusing one answers 400 `invalid_grant` "Refresh token has already been used". The access token minted with it stays valid. |
//! | Authorization codes | Single-use, valid [`AUTH_CODE_LIFETIME_SECS`]; `redirect_uri`, when sent to `/oauth/token`, must equal the one used at consent. |
//! | Redirect-URI matching | Exact match against the app's registered URIs, except that a registered loopback URI without a port (`http://127.0.0.1/callback`) matches any port (RFC 8252 §7.3). |
//! | `state` | Round-tripped unchanged when present. |
//! | Expired or unknown access token | 401 `{"statusCode":401,"message":"Invalid token: access token is invalid","error":"Unauthorized"}`. |
//! | Missing scope | 401 `"The token is not authorized for this scope."` (what real logs show; not 403). |
//! | Token for another location | 403 `"The token does not have access to this location."`. |
//! | Unknown contact/note/task id | 404 `{"statusCode":404,"message":"Contact not found"}` (and "Note not found", "Task not found"). |
//! | 429 | Body `{"statusCode":429,"message":"Too many requests. Please try again later."}`, the usual `X-RateLimit-*` headers, and **no** `Retry-After`: clients must pace from the headers. |
//! | Rate-limit windows | Fixed windows of [`BURST_INTERVAL_MS`] per (app, location), opened by the first request; the daily budget resets at 00:00 UTC. `/oauth/*` token calls are not counted. |
//! | `GET /contacts/search/duplicate` | `{"contact": <contact> \| null}`; email is matched first, then phone. |
//! | Tasks-search items | Task objects keyed `_id` (not `id`), with `contactId`, `locationId`, `title`, `body`, `dueDate`, `completed`, `assignedTo`, `dateAdded`; clients should accept either key. With the `oddRecords` switch they carry both `id` and `_id`, as do notes and tasks of a contact's lists. |
//! | Search items | Not full records: the 2025-08 spec's search `Contact` shape (`SearchContactSuccessResponseDto`), so the street is `address` (not `address1`), `website`, `timezone`, `name` and `gender` are absent, and `dateOfBirth` is a timestamp at midnight UTC (`1990-09-25T00:00:00.000Z`) where `GET`/`PUT` answer `1990-09-25`. Plus each item's `searchAfter`. |
//! | Search validation | A bad `POST /contacts/search` body answers **400** `{"statusCode":400,"message":"…","error":"Bad Request"}`: the spec declares 400 (not 422) for this endpoint. |
//! | Odd records (`oddRecords` switch, off by default) | Answers carry careless data GHL's spec does not forbid: both id spellings on notes and tasks, and contacts chosen by a hash of their id ([`crate::shapes::oddity`], one in ten of each kind) with `firstName: 123`, a `null` tag, a custom field without an id, or no id, in search items and `GET /contacts/{id}`. |
//! | `GET /contacts/` | Answers `contacts`, `count` (all matching contacts of the location) **and** `meta` (`total`, `nextPageUrl`, `startAfterId`, `startAfter`, `currentPage`, `nextPage`, `prevPage`); sorted by `dateAdded` then `id`, ascending. `startAfter` and `startAfterId` together form the cursor; `startAfterId` alone is accepted too. |
//! | `POST /contacts/search` | Default sort `dateAdded` descending; every sort ends with `id` as a tie-breaker, so `searchAfter` (`[sort value, id]`) never skips or repeats contacts that share a timestamp. `page` × `pageLimit` may not reach past [`SEARCH_PAGE_WINDOW_MAX`]. Results are immediately consistent. |
//! | Child writes and the contact | Writing a note, task or tag does not move the contact's `dateUpdated` (tags do: they are contact fields). |
//! | Appointment times | ISO 8601 with offset, in both `/contacts/{id}/appointments` and `/calendars/events`. |
//! | Duplicate contacts | Each location has an "allow duplicate contact" setting (off by default): creating a contact whose email or phone exists answers 400 `"This location does not allow duplicated contacts."` with `meta.contactId` and `meta.matchingField`. |

/// `Version` header of the contacts, locations and OAuth location-token endpoints.
pub const VERSION_CONTACTS: &str = "2021-07-28";
/// `Version` header of the calendars endpoints.
pub const VERSION_CALENDARS: &str = "2021-04-15";

/// Access-token lifetime GHL documents (a day less a second).
pub const ACCESS_TOKEN_LIFETIME_SECS: u64 = 86_399;
/// How long an authorization code may wait before it is exchanged.
pub const AUTH_CODE_LIFETIME_SECS: u64 = 600;

/// Requests per burst window per app and location.
pub const BURST_MAX: u32 = 100;
/// Length of a burst window.
pub const BURST_INTERVAL_MS: u64 = 10_000;
/// Requests per day per app and location.
pub const DAILY_LIMIT: u32 = 200_000;

/// Largest `pageLimit` of `POST /contacts/search`.
pub const SEARCH_PAGE_LIMIT_MAX: usize = 500;
/// Deepest record `page`-based search paging reaches; beyond it, use `searchAfter`.
pub const SEARCH_PAGE_WINDOW_MAX: usize = 10_000;
/// Largest and default `limit` of the deprecated `GET /contacts/`.
pub const LIST_LIMIT_MAX: usize = 100;
/// Default `limit` of the deprecated `GET /contacts/`.
pub const LIST_LIMIT_DEFAULT: usize = 20;
/// Default `limit` of the location-wide tasks search.
pub const TASK_SEARCH_LIMIT_DEFAULT: usize = 25;
/// Largest `query` length of `POST /contacts/search`.
pub const SEARCH_QUERY_MAX_CHARS: usize = 75;
