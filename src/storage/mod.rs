//! Storage: one SQL dialect for SQLite and PostgreSQL through sqlx's `Any`
//! driver.
//!
//! Queries use `$1`-style placeholders, which both databases accept, and
//! only the column types listed in the first migration (TEXT, BIGINT). SQL
//! lives in this module's files, one per table family, and nowhere else.

pub mod bookings;
pub mod connections;
pub mod widget_sessions;
pub mod hubspot_companies;
pub mod push_jobs;
pub mod visitors;
pub mod workflows;
pub mod workspaces;

use std::time::Duration;

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::AnyPool;

/// The migrations in `migrations/`, embedded at build time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handle to the database, cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    pool: AnyPool,
    postgres: bool,
}

impl Db {
    /// Connects to `url` and applies pending migrations. A SQLite file is
    /// created when it does not exist yet.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        install_default_drivers();
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        let url = if postgres { url.to_string() } else { sqlite_url_with_create(url) };
        let mut options = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(5));
        if !postgres {
            options = options.after_connect(|connection, _meta| {
                Box::pin(async move {
                    use sqlx::Executor;
                    // WAL lets readers run beside the one writer; the busy
                    // timeout makes a second writer wait instead of failing.
                    connection.execute("PRAGMA journal_mode = WAL").await?;
                    connection.execute("PRAGMA busy_timeout = 5000").await?;
                    connection.execute("PRAGMA foreign_keys = ON").await?;
                    Ok(())
                })
            });
        }
        let pool = options.connect(&url).await?;
        MIGRATOR.run(&pool).await?;
        Ok(Self { pool, postgres })
    }

    /// The connection pool, for the storage modules.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Whether this is PostgreSQL (several instances may share it).
    pub fn is_postgres(&self) -> bool {
        self.postgres
    }

    /// Runs a trivial query; `/readyz` uses it.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1").execute(&self.pool).await.map(|_| ())
    }
}

fn sqlite_url_with_create(url: &str) -> String {
    if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Reports whether `error` violates the unique index named `index`.
///
/// NOTE: SQLite names the columns, not the index, in its error, so on SQLite
/// any unique violation matches. Callers insert into tables where only the
/// named index can be violated by the statement in question.
pub fn is_unique_violation(error: &sqlx::Error, index: &str) -> bool {
    match error {
        sqlx::Error::Database(database_error) => {
            database_error.is_unique_violation()
                && (database_error.constraint() == Some(index)
                    || database_error.message().contains(index)
                    || database_error.constraint().is_none())
        }
        _ => false,
    }
}

/// Serializes a value to the JSON text stored in TEXT columns.
pub fn to_json_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("in-memory values serialize to JSON")
}
