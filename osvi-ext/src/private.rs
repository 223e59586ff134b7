//! Not public API: hooks for this workspace's property tests and fuzz targets. May change in
//! any release.

use osvi_generated::types;

use crate::error::Result;
use crate::transport::{RawResponse, decode};

/// The `operationId` of every operation, in the order of the spec.
pub fn operations() -> Vec<&'static str> {
    osvi_generated::spec::operations::ALL
        .iter()
        .map(|op| op.id)
        .collect()
}

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
    use osvi_generated::spec::operations as op;
    match operation {
        id if id == op::LIST_ACTIVE_AGENTS.id => {
            decode::<Vec<types::ActiveAgent>, Vec<agents::Agent>>(&raw).map(drop)
        }
        id if id == op::CREATE_CALL.id => {
            decode::<types::CallResponse, calls::CallCreated>(&raw).map(drop)
        }
        id if id == op::LIST_CALLS.id => {
            decode::<types::CallListResponse, Page<calls::Call>>(&raw).map(drop)
        }
        id if id == op::GET_CALL.id => {
            decode::<types::CallDetailResponse, calls::Call>(&raw).map(drop)
        }
        id if id == op::GET_CALL_TRANSCRIPT.id => {
            decode::<types::TranscriptResponse, calls::Transcript>(&raw).map(drop)
        }
        id if id == op::GET_CALL_RECORDING.id => {
            decode::<types::RecordingResponse, calls::Recording>(&raw).map(drop)
        }
        id if id == op::ADD_CAMPAIGN_CONTACTS.id => {
            decode::<types::CampaignContactsResponse, campaigns::ContactsAdded>(&raw).map(drop)
        }
        id if id == op::GET_CAMPAIGN_STATUS.id => {
            decode::<types::CampaignStatusResponse, campaigns::CampaignStatus>(&raw).map(drop)
        }
        id if id == op::ADD_DND_NUMBER.id => {
            decode::<types::DndNumberResponse, dnd::DndEntry>(&raw).map(drop)
        }
        id if id == op::LIST_DND_NUMBERS.id => {
            decode::<types::DndListResponse, Page<dnd::DndEntry>>(&raw).map(drop)
        }
        id if id == op::REMOVE_DND_NUMBER.id => decode::<types::MessageResponse, ()>(&raw),
        id if id == op::CREATE_CHAT_SESSION.id => {
            decode::<types::ChatSessionResponse, chat::ChatSession>(&raw).map(drop)
        }
        id if id == op::SEND_CHAT_MESSAGE.id => {
            decode::<types::ChatInboundResponse, chat::ChatReply>(&raw).map(drop)
        }
        id if id == op::GET_ACTIVE_CHAT_SESSION.id => chat::decode_active(&raw),
        id if id == op::SEND_SUPPORT_COMMAND.id => {
            decode::<types::SupportResponse, chat::SupportOutcome>(&raw).map(drop)
        }
        id if id == op::INJECT_CHAT_CONTEXT.id => {
            decode::<types::InjectContextResponse, chat::SessionContext>(&raw).map(drop)
        }
        id if id == op::LEGACY_CREATE_CALL.id => {
            decode::<types::LegacyCallResponse, calls::CallCreated>(&raw).map(drop)
        }
        id if id == op::LEGACY_START_CHAT_SESSION.id => {
            decode::<types::LegacyChatSessionResponse, legacy::LegacyChatSession>(&raw).map(drop)
        }
        id if id == op::LEGACY_SEND_CHAT_MESSAGE.id => {
            decode::<types::LegacyChatMessageResponse, legacy::LegacyChatReply>(&raw).map(drop)
        }
        id if id == op::LEGACY_CLOSE_CHAT_SESSION.id => {
            decode::<types::LegacyCloseSessionResponse, legacy::LegacyClosedSession>(&raw).map(drop)
        }
        other => Err(crate::Error::validation(
            "operation",
            format!("unknown operation `{other}`"),
        )),
    }
}
