//! DND lists: per agent, numbers normalized to E.164, search by digits.

use osvi_generated::types;

use super::account::*;

impl State {
    // ------------------------------------------------------------ DND

    pub(super) fn on_dnd(&self, agent_uuid: &str, e164: &str) -> bool {
        self.dnd
            .iter()
            .any(|d| d.agent_uuid == agent_uuid && d.phone == e164)
    }

    pub(crate) fn add_dnd(
        &mut self,
        agent_uuid: &str,
        phone: &str,
        reason: Option<String>,
    ) -> Outcome<types::DndNumber> {
        self.agent(agent_uuid, Failure::NotFound)?;
        // A number the API cannot normalize is kept as sent (the docs do not say more).
        let e164 = loose_e164(phone).unwrap_or_else(|| phone.to_string());
        if let Some(existing) = self
            .dnd
            .iter()
            .find(|d| d.agent_uuid == agent_uuid && d.phone == e164)
        {
            return Ok(dnd_wire(existing));
        }
        let record = DndRecord {
            id: self.next_id(),
            agent_uuid: agent_uuid.into(),
            phone: e164,
            reason,
            created_at: self.now(),
        };
        self.dnd.push(record.clone());
        Ok(dnd_wire(&record))
    }

    pub(crate) fn list_dnd(
        &self,
        agent_uuid: &str,
        search: Option<&str>,
    ) -> Outcome<Vec<types::DndNumber>> {
        self.agent(agent_uuid, Failure::NotFound)?;
        Ok(self
            .dnd
            .iter()
            .filter(|d| d.agent_uuid == agent_uuid && search.is_none_or(|s| d.phone.contains(s)))
            .map(dnd_wire)
            .collect())
    }

    pub(crate) fn remove_dnd(&mut self, agent_uuid: &str, phone: &str) -> Outcome<()> {
        self.agent(agent_uuid, Failure::NotFound)?;
        let e164 = loose_e164(phone).unwrap_or_else(|| phone.to_string());
        let before = self.dnd.len();
        self.dnd
            .retain(|d| !(d.agent_uuid == agent_uuid && d.phone == e164));
        match self.dnd.len() < before {
            true => Ok(()),
            false => Err(Failure::NotFound("Phone not found in DND list".into())),
        }
    }
}

pub(super) fn dnd_wire(d: &DndRecord) -> types::DndNumber {
    types::DndNumber {
        id: Some(d.id.into()),
        agent_uuid: Some(d.agent_uuid.clone().into()),
        phone: d.phone.clone(),
        reason: d.reason.clone().map(Into::into),
        created_at: Some(d.created_at.into()),
    }
}
