//! Who may call the API: Marketplace apps, authorization codes, access and refresh
//! tokens, Private Integration tokens, and the grant each token stands for.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::world::IdGen;

/// Every scope the sandbox knows, granted to the demo app.
pub const ALL_SCOPES: &[&str] = &[
    "contacts.readonly",
    "contacts.write",
    "locations.readonly",
    "locations/tasks.readonly",
    "locations/customFields.readonly",
    "calendars.readonly",
    "calendars/events.readonly",
    "oauth.readonly",
    "oauth.write",
];

/// A Marketplace app registered with the sandbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// Redirect URIs registered for the app (see `decisions` for matching).
    pub redirect_uris: Vec<String>,
}

impl App {
    /// Whether `uri` is one of the registered redirect URIs. A registered loopback URI
    /// without a port matches the same URI on any port (RFC 8252 §7.3).
    pub fn accepts_redirect(&self, uri: &str) -> bool {
        let Ok(wanted) = url::Url::parse(uri) else {
            return false;
        };
        self.redirect_uris.iter().any(|registered| {
            if registered == uri {
                return true;
            }
            let Ok(reg) = url::Url::parse(registered) else {
                return false;
            };
            let loopback = matches!(reg.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
            loopback
                && reg.port().is_none()
                && reg.scheme() == wanted.scheme()
                && reg.host_str() == wanted.host_str()
                && reg.path() == wanted.path()
                && wanted.query().is_none()
        })
    }
}

/// Whether a token acts for a location or for a whole company (agency).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    /// A sub-account token.
    Location,
    /// An agency token.
    Company,
}

impl UserType {
    /// GHL's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Location => "Location",
            Self::Company => "Company",
        }
    }
}

/// What a token allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The Marketplace app (or, for a Private Integration, the integration's id): rate
    /// limits are kept per app and resource.
    pub app_id: String,
    /// Location or agency token.
    pub user_type: UserType,
    /// The company the token belongs to.
    pub company_id: String,
    /// The location, for location tokens.
    pub location_id: Option<String>,
    /// Granted scopes.
    pub scopes: HashSet<String>,
    /// The user who installed the app.
    pub user_id: String,
}

impl Grant {
    /// Whether the grant includes `scope`.
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.contains(scope)
    }

    /// The rate-limit bucket: the app and the resource (location or company) it acts on.
    pub fn resource(&self) -> &str {
        self.location_id.as_deref().unwrap_or(&self.company_id)
    }
}

#[derive(Debug, Clone)]
struct AccessToken {
    grant: Grant,
    expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone)]
struct RefreshToken {
    grant: Grant,
    used: bool,
}

#[derive(Debug, Clone)]
struct AuthCode {
    grant: Grant,
    redirect_uri: String,
    expires_at: DateTime<Utc>,
    used: bool,
}

/// Why a token exchange failed; maps to `/oauth/token` error bodies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExchangeError {
    /// Unknown client or wrong secret.
    #[error("invalid_client: {0}")]
    InvalidClient(&'static str),
    /// Unknown, expired, used or mismatched code or refresh token.
    #[error("invalid_grant: {0}")]
    InvalidGrant(&'static str),
}

/// A freshly minted token pair.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The access token.
    pub access_token: String,
    /// The refresh token that replaces the one used (if any).
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// What the pair allows.
    pub grant: Grant,
}

/// Every credential the sandbox has handed out.
#[derive(Debug)]
pub struct Tokens {
    apps: Vec<App>,
    access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    codes: HashMap<String, AuthCode>,
    ids: IdGen,
    /// Access-token lifetime in seconds.
    pub access_lifetime_secs: u64,
    /// Authorization-code lifetime in seconds.
    pub code_lifetime_secs: u64,
}

impl Tokens {
    /// A store for `apps`, minting from a generator seeded with `seed`.
    pub fn new(
        apps: Vec<App>,
        seed: u64,
        access_lifetime_secs: u64,
        code_lifetime_secs: u64,
    ) -> Self {
        Self {
            apps,
            access: HashMap::new(),
            refresh: HashMap::new(),
            codes: HashMap::new(),
            ids: IdGen::new(seed ^ 0x5eed_70ce),
            access_lifetime_secs,
            code_lifetime_secs,
        }
    }

    /// The registered apps.
    pub fn apps(&self) -> &[App] {
        &self.apps
    }

    /// The app with `client_id`.
    pub fn app(&self, client_id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// Registers a Private Integration token for `grant`: it never expires.
    pub fn add_private_integration(&mut self, grant: Grant) -> String {
        let token = format!(
            "pit-{}-{}-{}",
            self.ids.alnum(8),
            self.ids.alnum(4),
            self.ids.alnum(12)
        )
        .to_lowercase();
        self.access.insert(
            token.clone(),
            AccessToken {
                grant,
                expires_at: None,
            },
        );
        token
    }

    /// Issues a single-use authorization code after consent.
    pub fn issue_code(&mut self, grant: Grant, redirect_uri: &str, now: DateTime<Utc>) -> String {
        let code = self.ids.alnum(40);
        let expires_at = now + Duration::seconds(self.code_lifetime_secs as i64);
        self.codes.insert(
            code.clone(),
            AuthCode {
                grant,
                redirect_uri: redirect_uri.to_owned(),
                expires_at,
                used: false,
            },
        );
        code
    }

    fn check_client(&self, client_id: &str, secret: &str) -> Result<(), ExchangeError> {
        match self.app(client_id) {
            Some(app) if app.client_secret == secret => Ok(()),
            Some(_) => Err(ExchangeError::InvalidClient("client secret is incorrect")),
            None => Err(ExchangeError::InvalidClient("client id is unknown")),
        }
    }

    /// `grant_type=authorization_code`.
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        secret: &str,
        code: &str,
        redirect_uri: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Issued, ExchangeError> {
        self.check_client(client_id, secret)?;
        let entry = self
            .codes
            .get_mut(code)
            .ok_or(ExchangeError::InvalidGrant("authorization code is invalid"))?;
        if entry.used {
            return Err(ExchangeError::InvalidGrant(
                "authorization code has already been used",
            ));
        }
        if entry.expires_at < now {
            return Err(ExchangeError::InvalidGrant(
                "authorization code has expired",
            ));
        }
        if entry.grant.app_id != client_id {
            return Err(ExchangeError::InvalidGrant(
                "authorization code was issued to another client",
            ));
        }
        if redirect_uri.is_some_and(|uri| uri != entry.redirect_uri) {
            return Err(ExchangeError::InvalidGrant(
                "redirect_uri does not match the authorization request",
            ));
        }
        entry.used = true;
        let grant = entry.grant.clone();
        Ok(self.mint(grant, now))
    }

    /// `grant_type=refresh_token`: the old refresh token is spent, a new pair is issued.
    pub fn exchange_refresh(
        &mut self,
        client_id: &str,
        secret: &str,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Issued, ExchangeError> {
        self.check_client(client_id, secret)?;
        let entry = self
            .refresh
            .get_mut(refresh_token)
            .ok_or(ExchangeError::InvalidGrant("refresh token is invalid"))?;
        if entry.grant.app_id != client_id {
            return Err(ExchangeError::InvalidGrant(
                "refresh token was issued to another client",
            ));
        }
        if entry.used {
            return Err(ExchangeError::InvalidGrant(
                "refresh token has already been used",
            ));
        }
        entry.used = true;
        let grant = entry.grant.clone();
        Ok(self.mint(grant, now))
    }

    /// Mints a pair for `grant` (also used by `/oauth/locationToken`).
    pub fn mint(&mut self, grant: Grant, now: DateTime<Utc>) -> Issued {
        let access_token = format!("sbx.{}", self.ids.alnum(48));
        let refresh_token = format!("sbr.{}", self.ids.alnum(48));
        let expires_at = now + Duration::seconds(self.access_lifetime_secs as i64);
        self.access.insert(
            access_token.clone(),
            AccessToken {
                grant: grant.clone(),
                expires_at: Some(expires_at),
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshToken {
                grant: grant.clone(),
                used: false,
            },
        );
        Issued {
            access_token,
            refresh_token,
            expires_in: self.access_lifetime_secs,
            grant,
        }
    }

    /// The grant of a live access token; `None` when unknown, expired or revoked.
    pub fn authorize(&self, access_token: &str, now: DateTime<Utc>) -> Option<&Grant> {
        let token = self.access.get(access_token)?;
        match token.expires_at {
            Some(at) if at <= now => None,
            _ => Some(&token.grant),
        }
    }

    /// Revokes one access token, or with `location_id` every token (access and refresh)
    /// of that location. Returns how many credentials were revoked.
    pub fn revoke(&mut self, access_token: Option<&str>, location_id: Option<&str>) -> usize {
        let before = self.access.len() + self.refresh.len();
        if let Some(token) = access_token {
            self.access.remove(token);
        }
        if let Some(location) = location_id {
            self.access
                .retain(|_, t| t.grant.location_id.as_deref() != Some(location));
            self.refresh
                .retain(|_, t| t.grant.location_id.as_deref() != Some(location));
        }
        before - (self.access.len() + self.refresh.len())
    }

    /// Makes every access token of a location expire now, as if a day had passed.
    pub fn expire_access(&mut self, location_id: &str, now: DateTime<Utc>) -> usize {
        let mut n = 0;
        for token in self.access.values_mut() {
            if token.grant.location_id.as_deref() == Some(location_id) && token.expires_at.is_some()
            {
                token.expires_at = Some(now);
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app() -> App {
        App {
            client_id: "client-1".into(),
            client_secret: "secret-1".into(),
            redirect_uris: vec![
                "http://127.0.0.1/callback".into(),
                "https://example.com/cb".into(),
            ],
        }
    }

    fn grant() -> Grant {
        Grant {
            app_id: "client-1".into(),
            user_type: UserType::Location,
            company_id: "co".into(),
            location_id: Some("loc".into()),
            scopes: ["contacts.readonly".to_owned()].into(),
            user_id: "user".into(),
        }
    }

    #[test]
    fn loopback_redirects_match_any_port_and_others_match_exactly() {
        let app = app();
        assert!(app.accepts_redirect("http://127.0.0.1:53682/callback"));
        assert!(app.accepts_redirect("http://127.0.0.1/callback"));
        assert!(!app.accepts_redirect("http://127.0.0.1:53682/other"));
        assert!(!app.accepts_redirect("http://localhost:53682/callback"));
        assert!(app.accepts_redirect("https://example.com/cb"));
        assert!(!app.accepts_redirect("https://example.com:8443/cb"));
        assert!(!app.accepts_redirect("not a url"));
    }

    #[test]
    fn codes_are_single_use_and_expire() {
        let now = Utc::now();
        let mut tokens = Tokens::new(vec![app()], 1, 60, 600);
        let code = tokens.issue_code(grant(), "http://127.0.0.1:1/callback", now);
        assert_eq!(
            tokens
                .exchange_code("client-1", "wrong", &code, None, now)
                .unwrap_err(),
            ExchangeError::InvalidClient("client secret is incorrect")
        );
        assert!(tokens
            .exchange_code(
                "client-1",
                "secret-1",
                &code,
                Some("http://127.0.0.1:2/callback"),
                now
            )
            .is_err());
        let issued = tokens
            .exchange_code("client-1", "secret-1", &code, None, now)
            .unwrap();
        assert!(tokens.authorize(&issued.access_token, now).is_some());
        assert!(tokens
            .exchange_code("client-1", "secret-1", &code, None, now)
            .is_err());
        let late = tokens.issue_code(grant(), "x", now);
        let after = now + Duration::seconds(601);
        assert_eq!(
            tokens
                .exchange_code("client-1", "secret-1", &late, None, after)
                .unwrap_err(),
            ExchangeError::InvalidGrant("authorization code has expired")
        );
    }

    #[test]
    fn refresh_tokens_rotate_and_reuse_is_rejected() {
        let now = Utc::now();
        let mut tokens = Tokens::new(vec![app()], 1, 60, 600);
        let first = tokens.mint(grant(), now);
        let second = tokens
            .exchange_refresh("client-1", "secret-1", &first.refresh_token, now)
            .unwrap();
        assert_ne!(first.refresh_token, second.refresh_token);
        assert_eq!(
            tokens
                .exchange_refresh("client-1", "secret-1", &first.refresh_token, now)
                .unwrap_err(),
            ExchangeError::InvalidGrant("refresh token has already been used")
        );
        assert!(tokens
            .exchange_refresh("client-1", "secret-1", &second.refresh_token, now)
            .is_ok());
    }

    #[test]
    fn access_tokens_expire_and_private_integrations_do_not() {
        let now = Utc::now();
        let mut tokens = Tokens::new(vec![app()], 1, 60, 600);
        let issued = tokens.mint(grant(), now);
        let pit = tokens.add_private_integration(grant());
        assert!(pit.starts_with("pit-"));
        let later = now + Duration::seconds(61);
        assert!(tokens.authorize(&issued.access_token, later).is_none());
        assert!(tokens
            .authorize(&pit, later + Duration::days(400))
            .is_some());
        assert_eq!(tokens.revoke(Some(&pit), None), 1);
        assert!(tokens.authorize(&pit, now).is_none());
    }
}
