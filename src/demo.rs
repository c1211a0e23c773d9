//! The demo command: sandbox, server and a connected workspace on one machine.

/// Flags of `slotchat demo`.
#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Address of the slotchat server.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Address of the HubSpot sandbox.
    #[arg(long, default_value = "127.0.0.1:8090")]
    pub sandbox_listen: String,
}

/// Runs the demo until interrupted.
pub async fn run(_args: DemoArgs) -> anyhow::Result<()> {
    anyhow::bail!("the demo is not built yet")
}
