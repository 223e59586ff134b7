//! Not public API: hooks for this workspace's property tests and fuzz targets. May change in
//! any release.

use osvi_generated::types;

use crate::error::Result;
use crate::transport::{RawResponse, decode};

/// The `operationId` of every operation, in the order of the spec.
pub const OPERATIONS: [&str; 20] = [
    "list_active_agents",
    "create_call",
    "list_calls",
    "get_call",
    "get_call_transcript",
    "get_call_recording",
    "add_campaign_contacts",
    "get_campaign_status",
    "add_dnd_number",
    "list_dnd_numbers",
    "remove_dnd_number",
    "create_chat_session",
    "send_chat_message",
    "get_active_chat_session",
    "send_support_command",
    "inject_chat_context",
    "legacy_create_call",
    "legacy_start_chat_session",
    "legacy_send_chat_message",
    "legacy_close_chat_session",
];

/// Decodes `body`, answered with `status`, exactly as `operation` does; `Ok(())` when it
/// decodes. An unknown operation is a validation error.
pub fn decode_response(operation: &str, status: u16, body: &[u8]) -> Result<()> {
    use crate::{agents, calls, campaigns, chat, dnd, legacy, pagination::Page};
    let raw = RawResponse {
        status: reqwest::StatusCode::from_u16(status)
            .map_err(|_| crate::Error::validation("status", "not an HTTP status"))?,
        headers: reqwest::header::HeaderMap::new(),
        body: bytes::Bytes::copy_from_slice(body),
    };
    match operation {
        "list_active_agents" => {
            decode::<Vec<types::ActiveAgent>, Vec<agents::Agent>>(&raw).map(drop)
        }
        "create_call" => decode::<types::CallResponse, calls::CallCreated>(&raw).map(drop),
        "list_calls" => decode::<types::CallListResponse, Page<calls::Call>>(&raw).map(drop),
        "get_call" => decode::<types::CallDetailResponse, calls::Call>(&raw).map(drop),
        "get_call_transcript" => {
            decode::<types::TranscriptResponse, calls::Transcript>(&raw).map(drop)
        }
        "get_call_recording" => {
            decode::<types::RecordingResponse, calls::Recording>(&raw).map(drop)
        }
        "add_campaign_contacts" => {
            decode::<types::CampaignContactsResponse, campaigns::ContactsAdded>(&raw).map(drop)
        }
        "get_campaign_status" => {
            decode::<types::CampaignStatusResponse, campaigns::CampaignStatus>(&raw).map(drop)
        }
        "add_dnd_number" => decode::<types::DndNumberResponse, dnd::DndEntry>(&raw).map(drop),
        "list_dnd_numbers" => decode::<types::DndListResponse, Page<dnd::DndEntry>>(&raw).map(drop),
        "remove_dnd_number" => decode::<types::MessageResponse, ()>(&raw),
        "create_chat_session" => {
            decode::<types::ChatSessionResponse, chat::ChatSession>(&raw).map(drop)
        }
        "send_chat_message" => {
            decode::<types::ChatInboundResponse, chat::ChatReply>(&raw).map(drop)
        }
        "get_active_chat_session" => chat::decode_active(&raw),
        "send_support_command" => {
            decode::<types::SupportResponse, chat::SupportOutcome>(&raw).map(drop)
        }
        "inject_chat_context" => {
            decode::<types::InjectContextResponse, chat::SessionContext>(&raw).map(drop)
        }
        "legacy_create_call" => {
            decode::<types::LegacyCallResponse, calls::CallCreated>(&raw).map(drop)
        }
        "legacy_start_chat_session" => {
            decode::<types::LegacyChatSessionResponse, legacy::LegacyChatSession>(&raw).map(drop)
        }
        "legacy_send_chat_message" => {
            decode::<types::LegacyChatMessageResponse, legacy::LegacyChatReply>(&raw).map(drop)
        }
        "legacy_close_chat_session" => {
            decode::<types::LegacyCloseSessionResponse, legacy::LegacyClosedSession>(&raw).map(drop)
        }
        other => Err(crate::Error::validation(
            "operation",
            format!("unknown operation `{other}`"),
        )),
    }
}
