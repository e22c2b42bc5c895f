//! GHL Desk sign-in: the OAuth loopback login of a native app (RFC 8252), Private
//! Integration tokens, the demo sign-in against the embedded sandbox, and the vault that
//! keeps tokens and secrets in the OS keychain.

pub mod accounts;
pub mod error;
pub mod login;
pub mod loopback;
pub mod session;
pub mod vault;

pub use accounts::{Accounts, AccountsFile};
pub use error::AuthError;
pub use login::{
    add_agency_location, agency_locations, sign_in_oauth, sign_in_private_integration, start_demo,
    Agency, Demo, OAuthSettings, SignedIn, DEFAULT_PORT, DEFAULT_SCOPES,
};
pub use loopback::Loopback;
pub use session::{Account, SignInKind};
pub use vault::{best_vault, KeyringVault, MemoryVault, Vault};
