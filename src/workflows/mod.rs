//! Workflows: rules over visitor events that enqueue pushes.
