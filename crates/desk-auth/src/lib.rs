//! GHL Desk sign-in: the OAuth loopback login of a native app (RFC 8252) through the
//! `oauth2` crate, Private Integration tokens, the demo sign-in against the embedded
//! sandbox, the token source that refreshes and rotates OAuth pairs safely across
//! processes, and the vault that keeps tokens and secrets in the OS keychain.

pub mod accounts;
pub mod credentials;
pub mod error;
pub mod file_vault;
pub mod login;
pub mod loopback;
pub mod oauth;
pub mod tokens;
pub mod vault;

pub use accounts::{Accounts, AccountsFile};
pub use credentials::{Account, SignInKind};
pub use error::AuthError;
pub use file_vault::{FileVault, PASSPHRASE_ENV};
pub use login::{
    add_agency_location, agency_locations, sign_in_oauth, sign_in_private_integration, start_demo,
    Agency, Demo, OAuthSettings, SignedIn, DEFAULT_PORT, DEFAULT_SCOPES,
};
pub use loopback::Loopback;
pub use oauth::MarketplaceApp;
pub use vault::{best_vault, KeyringVault, MemoryVault, Vault};
