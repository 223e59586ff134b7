//! A campaign upload with progress: contacts streamed from an iterator (a CRM export, say), in
//! requests of 10,000, holding one request's worth at a time, then the campaign's status.
//!
//! ```text
//! cargo run -p osvi-ext --example campaign_upload
//! ```
//!
//! Against the simulator without `OSVI_API_TOKEN` (campaign 7 of its seed); against OSVI it
//! uploads only with `OSVI_EXAMPLES_MAY_DIAL=1`, to campaign `OSVI_CAMPAIGN`, without
//! enqueueing (nothing dials until you start the campaign).

mod common;

use osvi_ext::campaigns::Contact;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::run(async {
        let setup = common::setup().await?;
        let campaign: i64 = std::env::var("OSVI_CAMPAIGN").map_or(Ok(7), |c| c.parse())?;
        if !common::may_dial(&setup) {
            println!("(set OSVI_EXAMPLES_MAY_DIAL=1 and OSVI_CAMPAIGN to upload for real)");
            return Ok(());
        }
        let contacts = (0..25_000u32).map(|i| {
            Contact::new(format!("98765{i:05}"))
                .person_name(format!("Customer {i}"))
                .variable("plan", if i % 2 == 0 { "Pro" } else { "Basic" })
        });
        let added = setup
            .client
            .campaigns()
            .add_contacts_iter(&setup.agent, campaign, contacts)
            .on_progress(|p| {
                println!(
                    "  {} contacts stored ({} requests)",
                    p.contacts_sent, p.requests_done
                )
            })
            .send()
            .await?;
        println!(
            "uploads {:?}: {} accepted, {} duplicates removed",
            added.campaign_upload_ids,
            added
                .contacts_accepted
                .map_or("?".into(), |n| n.to_string()),
            added
                .duplicates_removed
                .map_or("?".into(), |n| n.to_string()),
        );
        let status = setup.client.campaigns().status(campaign).await?;
        println!(
            "campaign {campaign}: {} calls so far",
            status.calls_total.unwrap_or(0)
        );
        Ok(())
    })
    .await
}
