//! Media response: how each channel's activity turns into extra calls.
//!
//! * [`response`]: the functional forms — a TV/radio spot's burst kernel in
//!   minutes, day-level geometric carry-over (adstock) for flights and drops,
//!   concave (power) saturation. The sample generator uses the same forms with
//!   known parameters, so recovery can be tested.
//! * [`uplift`]: a media plan × responses → extra calls per line, day and slot.
//! * [`fit`]: learn the responses from past plans and call history.
//! * [`lags`]: a drop's send-day curve and a flight's carry-over as free
//!   weights, learned with a roughness penalty chosen by cross-validation.
//! * [`assumed`]: the config's assumed responses for channels with no (or few)
//!   past lines, alone or blended with the learned ones.

pub mod assumed;
pub mod fit;
pub mod lags;
pub mod response;
pub mod uplift;

pub use fit::{FittedMedia, MediaModel};
pub use response::{BurstKernel, ChannelResponse, FlightResponse, SpotResponse};
pub use uplift::{LineUplift, Uplift};
