//! `gridgis`: the command-line interface and HTTP server. This crate only wires the library
//! crates together; see the workspace README for the tour. The library target exists so that
//! integration tests can build the router ([`http::app`]) and call the CLI in-process.

#![forbid(unsafe_code)]

pub mod answer;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod data;
pub mod http;
pub mod jobs;
pub mod state;
pub mod tile_sources;
