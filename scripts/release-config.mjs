// Prints the Tauri configuration a release build adds to tauri.conf.json (passed to
// `tauri build --config`), from the signing material the release workflow has:
//
//   TAURI_SIGNING_PRIVATE_KEY + TAURI_UPDATER_PUBKEY  signed updater artifacts, and the
//       public key and GitHub's latest.json as the app's update source
//   WINDOWS_CERTIFICATE_THUMBPRINT  Authenticode signing of the Windows installers
//
// Whatever is missing is left out with a notice, so forks and unsigned builds still build.
const env = process.env;
const config = { bundle: {}, plugins: {} };
const notice = (text) => console.error(`::notice::${text}`);

if (env.TAURI_SIGNING_PRIVATE_KEY && env.TAURI_UPDATER_PUBKEY) {
  const repository = env.GITHUB_REPOSITORY ?? "ghl-desk/ghl-desk";
  config.bundle.createUpdaterArtifacts = true;
  config.plugins.updater = {
    pubkey: env.TAURI_UPDATER_PUBKEY,
    endpoints: [`https://github.com/${repository}/releases/latest/download/latest.json`],
  };
} else {
  notice("no TAURI_SIGNING_PRIVATE_KEY secret or TAURI_UPDATER_PUBKEY variable: this build will not update itself");
}

if (env.WINDOWS_CERTIFICATE_THUMBPRINT) {
  config.bundle.windows = {
    certificateThumbprint: env.WINDOWS_CERTIFICATE_THUMBPRINT,
    digestAlgorithm: "sha256",
    timestampUrl: "http://timestamp.digicert.com",
  };
}

console.log(JSON.stringify(config, null, 2));
