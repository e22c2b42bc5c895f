//! `login` and `logout`.

use desk::{ChosenLocation, Desk, DeskError, DeskResult, ErrorKind, OAuthOutcome, SignInApp};
use serde_json::json;

use crate::{args::Login, output::Out, secrets::secret};

/// Signs in with a Private Integration token, or with OAuth through the printed
/// consent address; an agency-wide approval keeps `--location` (or lists the choices).
pub async fn login(desk: &Desk, out: &Out, args: &Login) -> DeskResult<u8> {
    if !desk.accounts_status().keychain_persistent {
        return Err(DeskError::new(
            ErrorKind::Keychain,
            format!(
                "no system keychain works here, so the sign-in would be forgotten when this command ends. \
                 Set {} to keep secrets in an encrypted file in the data folder, \
                 or give a Private Integration token to each run with GHL_DESK_TOKEN",
                desk::PASSPHRASE_ENV
            ),
        ));
    }
    let account = if args.oauth {
        let client_secret = secret(
            "client secret",
            args.client_secret.as_deref(),
            args.client_secret_file.as_deref(),
        )?;
        let app = SignInApp {
            client_id: args.client_id.clone().unwrap_or_default(),
            client_secret: client_secret.unwrap_or_default(),
            port: Some(args.port),
        };
        let open = |url: url::Url| {
            eprintln!("Open this address in a browser to sign in:\n{url}");
            Ok(())
        };
        match desk.sign_in_oauth(app, open).await? {
            OAuthOutcome::Location { account } => account,
            OAuthOutcome::Agency {
                company_id,
                locations,
            } => {
                let Some(location) = &args.location else {
                    let listed: Vec<String> = locations
                        .iter()
                        .map(|l| format!("{}  {}", l.id, l.name.as_deref().unwrap_or("")))
                        .collect();
                    return Err(DeskError::new(
                        ErrorKind::Invalid,
                        format!(
                            "signed in to agency {company_id}; run login again with --location ID, one of:\n{}",
                            listed.join("\n")
                        ),
                    ));
                };
                let name = locations
                    .iter()
                    .find(|l| &l.id == location)
                    .and_then(|l| l.name.clone());
                desk.keep_agency_locations(
                    &company_id,
                    &[ChosenLocation {
                        id: location.clone(),
                        name,
                    }],
                )
                .await?
            }
        }
    } else {
        let token = secret(
            "Private Integration token",
            args.pit.as_deref(),
            args.pit_file.as_deref(),
        )?;
        let (Some(token), Some(location)) = (token, args.location.as_deref()) else {
            return Err(DeskError::new(
                ErrorKind::Invalid,
                "use --pit --location ID (the token on standard input), or --oauth",
            ));
        };
        desk.sign_in_private_integration(&token, location).await?
    };
    out.print(&account, || {
        format!("signed in to location {}", account.location_id)
    });
    Ok(0)
}

/// Signs out of the open location.
pub async fn logout(desk: &Desk, out: &Out) -> DeskResult<u8> {
    if let Some(location) = desk.open_location() {
        desk.sign_out(location.location_id()).await?;
    }
    out.print(&json!({ "signedOut": true }), || "signed out".into());
    Ok(0)
}
