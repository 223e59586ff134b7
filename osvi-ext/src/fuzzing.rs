//! Not public API: the decode table of this workspace's property tests and fuzz targets
//! (hidden from the docs). May change in any release.

use osvi_generated::types;

use crate::error::Result;
use crate::transport::decode::{RawResponse, accepted, show};

/// The statuses a fuzz input can select (every status the API documents, and 503).
pub const FUZZ_STATUSES: [u16; 11] = [200, 201, 400, 401, 403, 404, 409, 422, 429, 500, 503];

/// A fuzz input of the `decode_response` target: one byte selecting the operation (its index
/// in [`operations`]), one selecting the status (its index in [`FUZZ_STATUSES`]), then the
/// body. `None` for an unknown operation or status.
pub fn fuzz_case(operation: &str, status: u16, body: &[u8]) -> Option<Vec<u8>> {
    let op = operations().iter().position(|id| *id == operation)?;
    let status = FUZZ_STATUSES.iter().position(|s| *s == status)?;
    let mut case = vec![u8::try_from(op).ok()?, u8::try_from(status).ok()?];
    case.extend_from_slice(body);
    Some(case)
}

/// Decodes a fuzz input made as [`fuzz_case`] says (any two leading bytes select some
/// operation and status); `None` when it is shorter than two bytes.
pub fn decode_fuzz_case(data: &[u8]) -> Option<Result<String>> {
    let [op, status, body @ ..] = data else {
        return None;
    };
    let operations = operations();
    let operation = operations[usize::from(*op) % operations.len()];
    let status = FUZZ_STATUSES[usize::from(*status) % FUZZ_STATUSES.len()];
    Some(decode_response(operation, status, body))
}

/// The `operationId` of every operation, in the order of the spec.
pub fn operations() -> Vec<&'static str> {
    osvi_generated::spec::operations::ALL
        .iter()
        .map(|op| op.id)
        .collect()
}

/// Decodes `body`, answered with `status`, exactly as `operation` does, and returns the
/// decoded value's `Debug` text. An unknown operation is a validation error.
pub fn decode_response(operation: &str, status: u16, body: &[u8]) -> Result<String> {
    use crate::{agents, calls, campaigns, chat, dnd, legacy, pagination::Page};
    let Some(facts) = osvi_generated::spec::operations::ALL
        .iter()
        .find(|op| op.id == operation)
    else {
        return Err(crate::Error::validation(
            "operation",
            format!("unknown operation `{operation}`"),
        ));
    };
    let raw = RawResponse {
        status: reqwest::StatusCode::from_u16(status)
            .map_err(|_| crate::Error::validation("status", "not an HTTP status"))?,
        headers: reqwest::header::HeaderMap::new(),
        body: bytes::Bytes::copy_from_slice(body),
    };
    use osvi_generated::spec::operations as op;
    let id = facts.id;
    let shown = match () {
        _ if id == op::LIST_ACTIVE_AGENTS.id => {
            show::<Vec<types::ActiveAgent>, Vec<agents::Agent>>(&raw)
        }
        _ if id == op::CREATE_CALL.id => show::<types::CallResponse, calls::CallCreated>(&raw),
        _ if id == op::LIST_CALLS.id => show::<types::CallListResponse, Page<calls::Call>>(&raw),
        _ if id == op::GET_CALL.id => show::<types::CallDetailResponse, calls::Call>(&raw),
        _ if id == op::GET_CALL_TRANSCRIPT.id => {
            show::<types::TranscriptResponse, calls::Transcript>(&raw)
        }
        _ if id == op::GET_CALL_RECORDING.id => {
            show::<types::RecordingResponse, calls::Recording>(&raw)
        }
        _ if id == op::ADD_CAMPAIGN_CONTACTS.id => {
            show::<types::CampaignContactsResponse, campaigns::ContactsAdded>(&raw)
        }
        _ if id == op::GET_CAMPAIGN_STATUS.id => {
            show::<types::CampaignStatusResponse, campaigns::CampaignStatus>(&raw)
        }
        _ if id == op::ADD_DND_NUMBER.id => show::<types::DndNumberResponse, dnd::DndEntry>(&raw),
        _ if id == op::LIST_DND_NUMBERS.id => {
            show::<types::DndListResponse, Page<dnd::DndEntry>>(&raw)
        }
        _ if id == op::REMOVE_DND_NUMBER.id => show::<types::MessageResponse, ()>(&raw),
        _ if id == op::CREATE_CHAT_SESSION.id => {
            show::<types::ChatSessionResponse, chat::ChatSession>(&raw)
        }
        _ if id == op::SEND_CHAT_MESSAGE.id => {
            show::<types::ChatInboundResponse, chat::ChatReply>(&raw)
        }
        _ if id == op::GET_ACTIVE_CHAT_SESSION.id => decode_active(&raw),
        _ if id == op::SEND_SUPPORT_COMMAND.id => {
            show::<types::SupportResponse, chat::SupportOutcome>(&raw)
        }
        _ if id == op::INJECT_CHAT_CONTEXT.id => {
            show::<types::InjectContextResponse, chat::SessionContext>(&raw)
        }
        _ if id == op::LEGACY_CREATE_CALL.id => {
            show::<types::LegacyCallResponse, calls::CallCreated>(&raw)
        }
        _ if id == op::LEGACY_START_CHAT_SESSION.id => {
            show::<types::LegacyChatSessionResponse, legacy::LegacyChatSession>(&raw)
        }
        _ if id == op::LEGACY_SEND_CHAT_MESSAGE.id => {
            show::<types::LegacyChatMessageResponse, legacy::LegacyChatReply>(&raw)
        }
        _ if id == op::LEGACY_CLOSE_CHAT_SESSION.id => {
            show::<types::LegacyCloseSessionResponse, legacy::LegacyClosedSession>(&raw)
        }
        _ if id == op::LEGACY_PAUSE_CHAT_SESSION.id => {
            show::<types::LegacyPauseSessionResponse, legacy::LegacyPausedSession>(&raw)
        }
        _ => Err(crate::Error::validation(
            "operation",
            format!("osvi-ext does not decode `{id}`"),
        )),
    };
    accepted(facts, shown)
}

/// Decodes a `get_active_chat_session` answer in either of its shapes: the `Debug` text of
/// the one that reads it.
fn decode_active(raw: &RawResponse) -> Result<String> {
    use crate::chat::ChatSession;
    use std::collections::HashMap;
    show::<types::ActiveChatSessionResponse, ChatSession>(raw)
        .or_else(|_| show::<types::ActiveChatSessionResponse, HashMap<String, ChatSession>>(raw))
}
