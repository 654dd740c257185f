//! Plain types of the welcome flow: a welcome email's delivery state, a set-password link, the
//! newcomer's own profile and the Stream.

use roster::welcome::{Missing, missing};
use serde::{Deserialize, Serialize};

use roster::time::utc_time;

/// Where a user's latest welcome email is, as their page shows it to an admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum WelcomeState {
    /// No welcome email was ever scheduled (for example, no email address).
    None,
    /// Held by "Delay welcome emails" until an admin sends the delayed ones.
    Held,
    /// Waiting for the mail worker; `attempts` failed temporarily so far.
    Queued {
        attempts: i64,
        last_error: Option<String>,
    },
    Sent {
        at: i64,
    },
    /// Given up: the mail server refused it for good, or every retry failed.
    Failed {
        at: i64,
        error: String,
    },
}

impl WelcomeState {
    /// One sentence for the user's page.
    pub fn describe(&self) -> String {
        match self {
            WelcomeState::None => "No welcome email has been sent.".into(),
            WelcomeState::Held => {
                "The welcome email is delayed; send it from Bulk Actions → Send Delayed Welcome Emails, or now with the button below.".into()
            }
            WelcomeState::Queued { attempts: 0, .. } => "The welcome email is being sent.".into(),
            WelcomeState::Queued { attempts, last_error } => format!(
                "The welcome email could not be delivered yet ({attempts} attempts; last error: {}); Roster keeps retrying.",
                last_error.as_deref().unwrap_or("unknown")
            ),
            WelcomeState::Sent { at } => format!("Welcome email sent {}.", utc_time(*at)),
            WelcomeState::Failed { at, error } => {
                format!("The welcome email failed {}: {error}. Check the address, then send it again.", utc_time(*at))
            }
        }
    }

    pub fn failed(&self) -> bool {
        matches!(self, WelcomeState::Failed { .. })
    }
}

/// Whose set-password link this is, for greeting them on its page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkOwner {
    pub first_name: String,
    pub org_name: String,
}

/// The signed-in person's own profile, as the complete-profile page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OwnProfile {
    pub user_id: i64,
    pub first_name: String,
    pub bio: Option<String>,
    pub state_or_country: Option<String>,
    pub has_photo: bool,
}

impl OwnProfile {
    /// What is still missing before the Stream.
    pub fn missing(&self) -> Vec<Missing> {
        missing(self.bio.as_deref(), self.state_or_country.as_deref(), self.has_photo)
    }

    /// Where a person goes after setting their password.
    pub fn next_page(&self) -> &'static str {
        if self.missing().is_empty() { STREAM } else { COMPLETE_PROFILE }
    }
}

pub const STREAM: &str = "/stream";
pub const COMPLETE_PROFILE: &str = "/welcome/profile";
pub const CHANGE_PASSWORD: &str = "/change-password";

/// One person on the Stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberCard {
    pub user_id: i64,
    pub name: String,
    pub role: String,
    pub email: Option<String>,
    pub home_town: Option<String>,
    pub state_or_country: Option<String>,
    pub bio: Option<String>,
    pub has_photo: bool,
}

impl MemberCard {
    /// Where the card's photo is served from, if there is one.
    pub fn photo_url(&self) -> Option<String> {
        self.has_photo.then(|| photo_url(self.user_id))
    }

    /// "Home Town, State" or whichever of them is known.
    pub fn place(&self) -> String {
        [self.home_town.as_deref(), self.state_or_country.as_deref()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

pub fn photo_url(user_id: i64) -> String {
    format!("/api/photos/{user_id}")
}

/// The Stream: a member's home page with their profile, their team leader and their teammates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamPage {
    pub me: MemberCard,
    pub leader: Option<MemberCard>,
    /// People with the same team leader, by name; at most [`TEAMMATES_SHOWN`].
    pub teammates: Vec<MemberCard>,
    pub teammate_count: i64,
    pub missing: Vec<Missing>,
}

pub const TEAMMATES_SHOWN: i64 = 200;

#[cfg(test)]
mod tests {
    use super::*;

    fn own(bio: Option<&str>, has_photo: bool) -> OwnProfile {
        OwnProfile {
            user_id: 1,
            first_name: "Ada".into(),
            bio: bio.map(Into::into),
            state_or_country: Some("Ohio".into()),
            has_photo,
        }
    }

    #[test]
    fn a_complete_profile_goes_straight_to_the_stream_and_an_incomplete_one_completes_first() {
        assert_eq!(own(Some("Hello"), true).next_page(), STREAM);
        assert_eq!(own(None, true).next_page(), COMPLETE_PROFILE);
        assert_eq!(own(Some("Hello"), false).next_page(), COMPLETE_PROFILE);
    }

    #[test]
    fn each_delivery_state_reads_as_a_sentence_an_admin_can_act_on() {
        assert!(WelcomeState::Held.describe().contains("Send Delayed Welcome Emails"));
        let failed = WelcomeState::Failed { at: 0, error: "550 no such mailbox".into() };
        assert!(failed.describe().contains("550 no such mailbox"));
        assert!(failed.failed());
        let retrying = WelcomeState::Queued { attempts: 2, last_error: Some("451 try later".into()) };
        assert!(retrying.describe().contains("2 attempts") && retrying.describe().contains("451"));
    }

    #[test]
    fn a_place_joins_what_is_known() {
        let mut card = MemberCard {
            user_id: 7,
            name: "Ada Lovelace".into(),
            role: "Team Member".into(),
            email: None,
            home_town: Some("London".into()),
            state_or_country: None,
            bio: None,
            has_photo: true,
        };
        assert_eq!(card.place(), "London");
        card.state_or_country = Some("UK".into());
        assert_eq!(card.place(), "London, UK");
        assert_eq!(card.photo_url().as_deref(), Some("/api/photos/7"));
    }
}
