//! Chat sessions: one active session per customer and agent, messages, support mode, context
//! and the legacy session endpoints.

use std::collections::BTreeMap;

use osvi_generated::spec::enums::{
    chat_session_mode as mode, chat_session_status as session_status,
    support_request_command as command,
};
use osvi_generated::spec::rules;
use osvi_generated::types;
use serde_json::{Map, Value};

use super::account::*;

impl SessionRecord {
    /// Active or paused (`dormant`): not closed.
    pub(super) fn is_open(&self) -> bool {
        self.status != session_status::CLOSED
    }
}

/// The most context entries a session keeps (the spec's `x-osvi-keeps-most-recent`).
const MAX_CONTEXT: usize =
    osvi_generated::limit(rules::chat_session_request::CONTEXT.keeps_most_recent);

impl State {
    // ------------------------------------------------------------ chat

    pub(super) fn active_session_index(
        &self,
        customer_id: &str,
        agent_uuid: &str,
    ) -> Option<usize> {
        self.sessions
            .iter()
            .position(|s| s.customer_id == customer_id && s.agent_uuid == agent_uuid && s.is_open())
    }

    pub(crate) fn create_session(
        &mut self,
        agent_uuid: &str,
        customer_id: &str,
        input_fields: Map<String, Value>,
        context: Vec<String>,
    ) -> Outcome<usize> {
        self.active_agent(agent_uuid, Failure::NotFound)?;
        if let Some(i) = self.active_session_index(customer_id, agent_uuid) {
            self.sessions[i].status = session_status::CLOSED;
        }
        let now = self.now();
        let mut context: Vec<String> = context
            .into_iter()
            .filter(|c| !c.trim().is_empty())
            .collect();
        cap_context(&mut context);
        let id = self.uuid();
        self.sessions.push(SessionRecord {
            id,
            agent_uuid: agent_uuid.into(),
            customer_id: customer_id.into(),
            mode: mode::AI,
            status: session_status::ACTIVE,
            input_fields,
            context,
            active_human: None,
            whispers: Vec::new(),
            created_at: now,
            updated_at: now,
        });
        Ok(self.sessions.len() - 1)
    }

    pub(crate) fn session_wire(&self, index: usize) -> types::ChatSession {
        let s = &self.sessions[index];
        types::ChatSession {
            id: s.id.clone(),
            chat_agent_id: Some(42.into()),
            account_id: Some(7.into()),
            customer_id: Some(s.customer_id.clone().into()),
            mode: Some(s.mode.into()),
            help_requested: Some(false.into()),
            status: Some(s.status.into()),
            current_state: None,
            metadata: Some(types::ChatSessionMetadata {
                input_fields: Some(s.input_fields.clone()),
                state_fields: Some(Map::new()),
                context: Some(s.context.clone()),
            }),
            active_human: s.active_human.clone().map(Into::into),
            created_at: Some(s.created_at.into()),
            updated_at: Some(s.updated_at.into()),
        }
    }

    /// `POST /v1/chat/inbound`: resolves (or creates) the session and answers.
    pub(crate) fn inbound(
        &mut self,
        agent_uuid: &str,
        customer_id: &str,
        content: &str,
        session_id: Option<&str>,
    ) -> Outcome<(usize, Option<String>)> {
        let index = match session_id {
            Some(id) => self.session_index(id)?,
            None => match self.active_session_index(customer_id, agent_uuid) {
                Some(i) => i,
                None => self.create_session(agent_uuid, customer_id, Map::new(), Vec::new())?,
            },
        };
        let now = self.now();
        let session = &mut self.sessions[index];
        if !session.is_open() {
            return Err(Failure::Conflict("session is closed".into()));
        }
        // A message resumes a paused session.
        session.status = session_status::ACTIVE;
        session.updated_at = now;
        let reply = match session.mode {
            mode::SUPPORT => None,
            _ => Some(canned_reply(content, session.whispers.pop())),
        };
        Ok((index, reply))
    }

    pub(crate) fn session_index(&self, id: &str) -> Outcome<usize> {
        self.sessions
            .iter()
            .position(|s| s.id == id)
            .ok_or_else(|| Failure::NotFound("Session not found".into()))
    }

    pub(crate) fn active_sessions(
        &self,
        customer_id: &str,
    ) -> BTreeMap<String, types::ChatSession> {
        self.sessions
            .iter()
            .enumerate()
            .filter(|(_, s)| s.customer_id == customer_id && s.is_open())
            .map(|(i, s)| (s.agent_uuid.clone(), self.session_wire(i)))
            .collect()
    }

    pub(crate) fn active_session(&self, customer_id: &str, agent_uuid: &str) -> Outcome<usize> {
        self.active_session_index(customer_id, agent_uuid)
            .ok_or_else(|| Failure::NotFound("No active session".into()))
    }

    /// `POST /v1/chat/session/{id}/support`.
    pub(crate) fn support(
        &mut self,
        id: &str,
        command: Option<&str>,
        message: Option<&str>,
    ) -> Outcome<types::SupportResponseData> {
        let index = self.session_index(id)?;
        let now = self.now();
        let session = &mut self.sessions[index];
        if session.status == session_status::CLOSED {
            return Err(Failure::Conflict("session is closed".into()));
        }
        let mut reply = None;
        match (command, message) {
            (None, None) => {
                return Err(Failure::Unprocessable(vec![
                    "command or message is required".into(),
                ]));
            }
            (None, Some(_)) if session.mode != mode::SUPPORT => {
                return Err(Failure::Conflict(
                    "a plain message needs support mode (takeover first)".into(),
                ));
            }
            (None, Some(_)) => {}
            (Some(command::TAKEOVER), _) => {
                session.mode = mode::SUPPORT;
                session.active_human = Some("operator@osvi-sim.local".into());
            }
            (Some(command::TELL), Some(guidance)) => reply = Some(canned_reply(guidance, None)),
            (Some(command::TELL), None) => {
                return Err(Failure::Unprocessable(vec![
                    "message is required for tell".into(),
                ]));
            }
            (Some(command::WHISPER), text) => {
                session.whispers.push(text.unwrap_or_default().to_string())
            }
            (Some(command::END), _) => {
                session.mode = mode::AI;
                session.active_human = None;
            }
            (Some(command::CLOSE), _) => session.status = session_status::CLOSED,
            (Some(other), _) => {
                return Err(Failure::Unprocessable(vec![format!(
                    "unknown command {other}"
                )]));
            }
        }
        session.updated_at = now;
        Ok(types::SupportResponseData {
            state: Some("ok".into()),
            session_id: Some(session.id.clone().into()),
            command: (command.map(str::to_string)).map(Into::into),
            reply: reply.map(Into::into),
            active_human: session.active_human.clone().map(Into::into),
        })
    }

    pub(crate) fn inject_context(
        &mut self,
        id: &str,
        context: &str,
    ) -> Outcome<types::InjectContextResponseData> {
        if context.trim().is_empty() {
            return Err(Failure::Unprocessable(vec![
                "context must be a non-empty string".into(),
            ]));
        }
        let index = self.session_index(id)?;
        let session = &mut self.sessions[index];
        session.context.push(context.to_string());
        cap_context(&mut session.context);
        Ok(types::InjectContextResponseData {
            session_id: Some(session.id.clone().into()),
            context: Some(session.context.clone()),
        })
    }

    /// The session `id` of a legacy request naming `agent_uuid` (when it names one): another
    /// agent's session is `404`, as if it did not exist.
    pub(super) fn legacy_session(
        &mut self,
        id: &str,
        agent_uuid: Option<&str>,
    ) -> Outcome<&mut SessionRecord> {
        let index = self.session_index(id)?;
        let session = &mut self.sessions[index];
        if agent_uuid.is_some_and(|agent| agent != session.agent_uuid) {
            return Err(Failure::NotFound("Session not found".into()));
        }
        Ok(session)
    }

    pub(crate) fn close_session(&mut self, id: &str, agent_uuid: &str) -> Outcome<String> {
        let session = self.legacy_session(id, Some(agent_uuid))?;
        session.status = session_status::CLOSED;
        Ok(session.id.clone())
    }

    /// Legacy `POST /chat_sessions/{id}/pause_session`: the session becomes `dormant` until
    /// the customer's next message. The docs show no error: a session of another agent is
    /// `404` (as for close), a closed one `409`; pausing a paused session is a success.
    pub(crate) fn pause_session(&mut self, id: &str, agent_uuid: Option<&str>) -> Outcome<String> {
        let now = self.now();
        let session = self.legacy_session(id, agent_uuid)?;
        if !session.is_open() {
            return Err(Failure::Conflict("session is closed".into()));
        }
        session.status = session_status::DORMANT;
        session.updated_at = now;
        Ok(session.id.clone())
    }
}

/// Keeps the most recent [`MAX_CONTEXT`] entries.
pub(super) fn cap_context(context: &mut Vec<String>) {
    if context.len() > MAX_CONTEXT {
        context.drain(..context.len() - MAX_CONTEXT);
    }
}

pub(super) fn canned_reply(content: &str, whisper: Option<String>) -> String {
    let lower = content.to_lowercase();
    let base = if lower.contains("hour") {
        "We're open Monday to Friday, 9 AM to 6 PM IST."
    } else if lower.contains("refund") {
        "I can help with a refund. Could you share your order number?"
    } else {
        "Sure — I can help with that. What's your order number?"
    };
    match whisper {
        Some(w) if !w.is_empty() => format!("{base} (noted: {w})"),
        _ => base.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_keeps_the_five_most_recent() {
        let mut context: Vec<String> = (0..7).map(|i| i.to_string()).collect();
        cap_context(&mut context);
        assert_eq!(context, ["2", "3", "4", "5", "6"]);
    }
}
