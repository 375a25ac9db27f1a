//! One module per subcommand.

pub mod demo;
pub mod export;
pub mod import;
pub mod layers;
pub mod locate;
pub mod serve;
