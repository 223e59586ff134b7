//! Settling an uncertain call placement: instead of resending a request that may have dialed
//! the person, look the call up in `GET /v1/calls` for a while, as
//! [`ReconcilePolicy`](crate::retry::ReconcilePolicy) describes, and answer what was found:
//! the call, [`Error::NotPlaced`], [`Error::AmbiguousPlacement`] or [`Error::Unreconciled`].
//! Used by [`CreateCall`](super::CreateCall) and the legacy `POST /call`.

use std::future::Future;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::polling::{Found, look_up};
use crate::retry::ReconcilePolicy;

use super::model::{Call, CallCreated, CallType, Reconciled};

/// The most listed calls one lookup reads (the calls of one agent to one number since just
/// before the placement: normally one page).
const MAX_SCANNED: usize = 500;

/// Who a placement calls: what the lookup filters on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    /// The calling agent.
    pub(crate) agent_uuid: &'a str,
    /// The number as sent (digits, without the country code).
    pub(crate) phone_number: &'a str,
}

/// Places a call with `send` and settles an uncertain failure by `policy`: the call found,
/// or a definite error. `operation` names the placement in the logs.
pub(crate) async fn place<F, Fut>(
    client: &Client,
    policy: ReconcilePolicy,
    target: Target<'_>,
    operation: &'static str,
    mut send: F,
) -> Result<CallCreated>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<CallCreated>>,
{
    if !policy.enabled {
        return send().await;
    }
    let since = policy.earliest(Utc::now());
    let mut first_failure: Option<String> = None;
    let mut lookups = 0;
    let mut placements = 0;
    loop {
        placements += 1;
        let cause = match send().await {
            Ok(created) => {
                let reconciled = first_failure.map(|after| Reconciled {
                    after,
                    lookups,
                    placements,
                });
                return Ok(CallCreated {
                    reconciled,
                    ..created
                });
            }
            Err(error) if error.is_uncertain() => error,
            Err(error) => return Err(error),
        };
        tracing::info!(
            operation,
            placement = placements,
            error = cause.kind(),
            status = cause.status(),
            window_ms = policy.window.as_millis() as u64,
            "osvi call placement uncertain, looking the call up"
        );
        let after = first_failure
            .get_or_insert_with(|| cause.to_string())
            .clone();
        let found = look_up(policy, &mut lookups, || candidates(client, target, since)).await;
        let resending = matches!(found, Found::Nothing) && resend(policy, placements);
        let outcome = match resending {
            true => "absent_resending",
            false => found.outcome(),
        };
        tracing::info!(
            operation,
            placement = placements,
            lookups,
            outcome,
            "osvi call placement reconciled"
        );
        let cause = Box::new(cause);
        match found {
            Found::One(call_id) => {
                let reconciled = Some(Reconciled {
                    after,
                    lookups,
                    placements,
                });
                return Ok(CallCreated {
                    call_id,
                    reconciled,
                });
            }
            Found::Nothing if resending => continue,
            Found::Nothing => {
                let looked_for = policy.window;
                return Err(Error::NotPlaced { cause, looked_for });
            }
            Found::Several(candidates) => {
                return Err(Error::AmbiguousPlacement { cause, candidates });
            }
            Found::Failed(lookup) => {
                let lookup = Box::new(lookup);
                return Err(Error::Unreconciled { cause, lookup });
            }
        }
    }
}

/// Whether a placement found absent is sent again.
fn resend(policy: ReconcilePolicy, placements: u32) -> bool {
    policy.resend_if_absent && placements < ReconcilePolicy::MAX_PLACEMENTS
}

/// The ids of the listed calls that may be this placement: outbound calls of the agent to
/// the number, created at or after `since` (or of unknown creation time), most recent first.
async fn candidates(
    client: &Client,
    target: Target<'_>,
    since: DateTime<Utc>,
) -> Result<Vec<String>> {
    let digits = significant_digits(target.phone_number);
    let calls = client
        .calls()
        .list()
        .agent(target.agent_uuid)
        .phone_number(digits.clone())
        .call_type(CallType::Outbound)
        .per_page(100)
        .stream();
    let mut calls = std::pin::pin!(calls);
    let mut found = Vec::new();
    let mut scanned = 0;
    while let Some(call) = calls.try_next().await? {
        // The list is most recent first: the first call from before `since` ends the search.
        if call.created_at.is_some_and(|at| at < since) {
            break;
        }
        if may_be(&call, target.agent_uuid, &digits) {
            found.push(call.call_id);
        }
        scanned += 1;
        if scanned >= MAX_SCANNED {
            break;
        }
    }
    Ok(found)
}

/// Whether a listed call may be the placement: nothing it shows says otherwise (the server
/// filtered on the same values; a field it left out cannot rule the call out).
fn may_be(call: &Call, agent_uuid: &str, digits: &str) -> bool {
    let outbound = call
        .call_type
        .as_ref()
        .is_none_or(|t| *t == CallType::Outbound);
    let agent = call.agent_uuid.as_deref().is_none_or(|a| a == agent_uuid);
    let number = call
        .phone_number
        .as_deref()
        .is_none_or(|listed| significant_digits(listed).ends_with(digits));
    outbound && agent && number
}

/// The digits of a number without a leading trunk `0` (`07700 900123` → `7700900123`), which
/// the listed E.164 form (`+447700900123`) ends with.
fn significant_digits(number: &str) -> String {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    match digits.trim_start_matches('0') {
        "" => digits,
        significant => significant.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_compared_by_its_significant_digits() {
        assert_eq!(significant_digits("9876543210"), "9876543210");
        assert_eq!(significant_digits("07700 900123"), "7700900123");
        assert_eq!(significant_digits("+447700900123"), "447700900123");
        assert!(significant_digits("+447700900123").ends_with(&significant_digits("07700900123")));
        assert_eq!(significant_digits("000"), "000");
    }
}
