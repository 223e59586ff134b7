//! The benchmark server: fixed bytes on loopback, run in a child process (`osvi-bench
//! --serve`) so its CPU and allocations stay out of the client's measurements.

use std::collections::HashMap;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::Query;
use axum::routing::{get, post};

/// The body of `GET /v1/call/{id}`: the docs' example call detail.
pub const CALL_DETAIL: &str = r##"{"success":true,"data":{"call_id":"a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d","agent_uuid":"agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og","agent_name":"Appointment Reminder","phone_number":"+919876543210","from_number":"+911140001234","status":"picked","call_type":"outbound","duration_seconds":42,"call_ended_by":"agent","call_ended_reason":"assistant-ended-call","campaign_id":7,"campaign_upload_id":19,"tag":{"id":12,"name":"interested","color_code":"#22c55e"},"created_at":"2026-06-12T09:30:00+05:30","call_picked_at":"2026-06-12T09:30:04+05:30","caller_name":"Ravi Kumar","retry_count":0,"summary":"The customer confirmed their appointment for Friday at 4 PM.","data_captured":{"email":"ravi@example.com","confirmed":true},"post_call_analysis":{"sentiment":"positive","callback_required":false}}}"##;

/// The body of `POST /v1/call`.
pub const CALL_CREATED: &str = r#"{"success":true,"data":{"call_id":"call_abc123xyz"}}"#;

/// Calls in the list, and per page.
pub const LIST_TOTAL: usize = 100_000;

fn call_item(i: usize) -> String {
    format!(
        r#"{{"call_id":"c0000000-0000-0000-0000-{i:012}","agent_uuid":"agent_IsZ3Q6Sf_60Eh26XQMGbz-R_og","agent_name":"Appointment Reminder","phone_number":"+919876543210","from_number":"+911140001234","status":"picked","call_type":"outbound","duration_seconds":42,"call_ended_by":"agent","call_ended_reason":"assistant-ended-call","campaign_id":null,"campaign_upload_id":null,"tag":null,"created_at":"2026-06-12T09:30:00+05:30","call_picked_at":"2026-06-12T09:30:04+05:30"}}"#
    )
}

/// Serves until killed; prints the port on stdout. `page_delay` is added to every page of
/// `GET /v1/calls`; its `campaign_id` filter is (ab)used to set the list's length (default
/// [`LIST_TOTAL`]), so one server serves lists of any size.
pub async fn serve(page_delay: Duration) -> std::io::Result<()> {
    let page_items: Vec<String> = (0..100).map(call_item).collect();
    let list = move |Query(query): Query<HashMap<String, String>>| {
        let page_items = page_items.clone();
        async move {
            tokio::time::sleep(page_delay).await;
            let number = |k: &str, d: usize| query.get(k).and_then(|v| v.parse().ok()).unwrap_or(d);
            let (page, per_page, total) = (
                number("page", 1),
                number("per_page", 25).min(100),
                number("campaign_id", LIST_TOTAL),
            );
            let total_pages = total.div_ceil(per_page);
            let count = if page <= total_pages {
                per_page.min(total - (page - 1) * per_page)
            } else {
                0
            };
            let items = page_items[..count].join(",");
            format!(
                r#"{{"success":true,"data":[{items}],"meta":{{"current_page":{page},"total_pages":{total_pages},"total_count":{total},"per_page":{per_page}}}}}"#
            )
        }
    };
    let contacts = |body: Bytes| async move {
        let received = body.len() / 40; // roughly; the client ignores the counts
        format!(
            r#"{{"success":true,"data":{{"campaign_upload_id":19,"contacts_received":{received},"contacts_accepted":{received},"duplicates_removed":0,"enqueued":false,"queued_calls":0,"dnd_skipped":[]}}}}"#
        )
    };
    let app = Router::new()
        .route("/v1/call/{id}", get(|| async { CALL_DETAIL }))
        .route("/v1/call", post(|_body: Bytes| async { CALL_CREATED }))
        .route("/v1/calls", get(list))
        .route("/v1/campaigns/{id}/contacts", post(contacts));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("{}", listener.local_addr()?.port());
    axum::serve(listener, app).await
}
