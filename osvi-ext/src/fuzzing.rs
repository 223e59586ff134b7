//! Not public API: the decode table of this workspace's property tests and fuzz targets
//! (hidden from the docs). May change in any release.

use crate::error::Result;
use crate::pagination::Page;
use crate::transport::decode::{RawResponse, accepted, show};
use crate::{agents, calls, campaigns, chat, dnd, legacy};

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
    let shown = decode_by_operation(facts.id, &raw).unwrap_or_else(|| {
        Err(crate::Error::validation(
            "operation",
            format!("osvi-ext does not decode `{}`", facts.id),
        ))
    });
    accepted(facts, shown)
}

/// What each operation's method returns: the decode table. An operation added to the spec is
/// a missing associated type here (a compile error) until its answer type is named.
struct Table;

impl osvi_generated::answers::Answers for Table {
    type ListActiveAgents = Vec<agents::Agent>;
    type CreateCall = calls::CallCreated;
    type ListCalls = Page<calls::Call>;
    type GetCall = calls::Call;
    type GetCallTranscript = calls::Transcript;
    type GetCallRecording = calls::Recording;
    type AddCampaignContacts = campaigns::ContactsAdded;
    type GetCampaignStatus = campaigns::CampaignStatus;
    type AddDndNumber = dnd::DndEntry;
    type ListDndNumbers = Page<dnd::DndEntry>;
    type RemoveDndNumber = ();
    type CreateChatSession = chat::ChatSession;
    type SendChatMessage = chat::ChatReply;
    type GetActiveChatSession = chat::model::ActiveSession;
    type SendSupportCommand = chat::SupportOutcome;
    type InjectChatContext = chat::SessionContext;
    type LegacyCreateCall = calls::CallCreated;
    type LegacyStartChatSession = legacy::LegacyChatSession;
    type LegacySendChatMessage = legacy::LegacyChatReply;
    type LegacyCloseChatSession = legacy::LegacyClosedSession;
    type LegacyPauseChatSession = legacy::LegacyPausedSession;
}

/// The decoding of every operation of the spec (`osvi_generated::for_each_operation!`), each
/// through its success body's envelope into its [`Table`] answer type.
macro_rules! decode_table {
    ($(($operation:ident, $body:ty, $answer:ident)),* $(,)?) => {
        /// Decodes `raw` as operation `id` does and shows the result; `None` for an id that is
        /// not an operation.
        fn decode_by_operation(id: &str, raw: &RawResponse) -> Option<Result<String>> {
            use osvi_generated::answers::Answers;
            use osvi_generated::spec::operations as op;
            $(
                if id == op::$operation.id {
                    return Some(show::<$body, <Table as Answers>::$answer>(raw));
                }
            )*
            None
        }
    };
}
osvi_generated::for_each_operation!(decode_table);
