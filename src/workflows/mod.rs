//! Workflows: rules over visitor events that enqueue pushes.
//!
//! A workflow is a list of conditions (quality score, pages visited, has an
//! email) joined by `all` or `any`. [`evaluate_visitor`] runs right after a
//! visitor event is stored. Each matching active workflow records one run
//! per visitor data version and enqueues a push, so a visitor is pushed once
//! per change of its data.

mod evaluate;
pub mod input;
pub mod rules;

pub use crate::storage::workflows::{Workflow, WorkflowRun};
pub use evaluate::{EvaluateError, MAX_TRIGGER_LEN, evaluate_visitor};
