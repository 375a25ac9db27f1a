//! One module per subcommand.

pub mod demo;
pub mod export;
pub mod locate;
pub mod serve;
