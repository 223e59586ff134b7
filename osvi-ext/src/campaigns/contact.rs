//! A [`Contact`] to upload to a campaign: its phone, name and prompt variables, its check
//! and its wire form.

use osvi_generated::types;
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A contact for a campaign: a phone number, a name, and prompt variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    /// `9876543210` or `+919876500000`.
    pub phone: String,
    /// The person's name.
    pub person_name: Option<String>,
    /// Extra keys, available to the agent's prompt as `{{key}}`.
    pub variables: Map<String, Value>,
}

impl Contact {
    /// A contact with only a phone number.
    pub fn new(phone: impl Into<String>) -> Self {
        Contact {
            phone: phone.into(),
            person_name: None,
            variables: Map::new(),
        }
    }

    /// Sets the person's name.
    pub fn person_name(mut self, name: impl Into<String>) -> Self {
        self.person_name = Some(name.into());
        self
    }

    /// Adds a prompt variable (any key but `phone` and `person_name`).
    pub fn variable(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.variables.insert(key.into(), value.into());
        self
    }

    /// Checks the contact at `index`.
    pub(crate) fn check(&self, index: usize) -> Result<()> {
        for reserved in ["phone", "person_name"] {
            if self.variables.contains_key(reserved) {
                return Err(Error::validation(
                    format!("contacts[{index}].variables.{reserved}"),
                    "is reserved: set it with the field of the same name",
                ));
            }
        }
        Ok(())
    }

    /// The wire form of a checked contact.
    pub(crate) fn to_wire(&self) -> types::CampaignContact {
        types::CampaignContact {
            phone: self.phone.clone(),
            person_name: self.person_name.clone(),
            extra: self.variables.clone(),
        }
    }
}
