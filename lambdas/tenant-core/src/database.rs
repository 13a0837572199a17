//! PostgreSQL connections as libpq makes them from the same connection string.
//!
//! tokio-postgres knows `sslmode` disable / prefer / require only, and no `sslrootcert`; RDS
//! (`rds.force_ssl=1` is the default from PostgreSQL 15 on) wants a verified TLS connection. So
//! `DatabaseTarget::parse` takes `sslmode` and `sslrootcert` out of the string itself (URL or
//! key=value form), hands the rest to tokio-postgres, and `connect` picks the TLS connector
//! (rustls, no OpenSSL) the mode asks for:
//!
//! | sslmode | TLS | certificate checked |
//! |---|---|---|
//! | `disable` | never | - |
//! | `prefer` (the default, as in libpq) | if the server offers it | no |
//! | `require` | always | no (libpq's behaviour without a root certificate) |
//! | `verify-ca` | always | chains to a trusted CA |
//! | `verify-full` | always | chains to a trusted CA and names the host |
//!
//! The trusted CAs for `verify-ca` / `verify-full` are the PEM file named by `sslrootcert`, or
//! else the RDS CA bundle shipped in this crate (certs/rds-global-bundle.pem, provenance in
//! certs/README.md), so `?sslmode=verify-full` alone is right for an RDS endpoint.

mod params;
mod tls;

use std::path::PathBuf;
use std::str::FromStr;

use tokio::task::JoinHandle;
use tokio_postgres::{Client, NoTls};

use crate::error::ActionError;

pub(crate) use params::SslMode;

/// The RDS CA bundle (every region's root CAs), trusted when `sslrootcert` is not given.
const RDS_CA_BUNDLE: &str = include_str!("../certs/rds-global-bundle.pem");

/// Where the trusted CAs of a verifying mode come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum RootCerts {
    /// `sslrootcert=<path>`: a PEM file of one or more CA certificates.
    File(PathBuf),
    /// No `sslrootcert`: the RDS bundle built into the Lambda.
    RdsBundle,
}

impl std::fmt::Display for RootCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::File(path) => write!(f, "sslrootcert {}", path.display()),
            Self::RdsBundle => f.write_str("the built-in RDS CA bundle"),
        }
    }
}

/// A parsed connection string: tokio-postgres's configuration plus the TLS settings it lacks.
#[derive(Clone, Debug)]
pub struct DatabaseTarget {
    config: tokio_postgres::Config,
    mode: SslMode,
    roots: RootCerts,
}

/// The database's address as a client of it needs it (no credentials).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub dbname: Option<String>,
    pub sslmode: &'static str,
}

/// An open connection; closing it (dropping the client) ends its driver task.
pub struct Connection {
    client: Client,
    driver: JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl Connection {
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Closes the connection and waits for its driver (which only fails if the socket failed
    /// after the last query, when there is nothing left to report).
    pub async fn close(self) {
        drop(self.client);
        let _ = self.driver.await;
    }
}

/// Only a stand-in while configuration is read (config.rs reports the real error).
impl Default for DatabaseTarget {
    fn default() -> Self {
        Self {
            config: tokio_postgres::Config::new(),
            mode: SslMode::Prefer,
            roots: RootCerts::RdsBundle,
        }
    }
}

impl DatabaseTarget {
    /// Parses a libpq connection string (`postgres://...` or `key=value ...`).
    pub fn parse(url: &str) -> Result<Self, ActionError> {
        let invalid = |reason: String| ActionError::InvalidConfig {
            name: "DATABASE_URL",
            reason,
        };
        let split = params::split_tls_params(url).map_err(invalid)?;
        let config = tokio_postgres::Config::from_str(&split.rest)
            // The driver's message names the bad key or value; the string may hold a password.
            .map_err(|e| invalid(e.to_string()))?;
        let roots = match split.root_cert {
            Some(path) => RootCerts::File(PathBuf::from(path)),
            None => RootCerts::RdsBundle,
        };
        Ok(Self {
            config,
            mode: split.mode,
            roots,
        })
    }

    /// Whether the string itself holds a password (refused: credentials come from Secrets
    /// Manager, see config.rs).
    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// The same target, logging in as `user` with `password` (from a secret).
    pub fn with_credentials(&self, user: &str, password: &str) -> Self {
        let mut target = self.clone();
        target.config.user(user).password(password);
        target
    }

    /// Where a tenant's backend connects: the first host and port, the database, the sslmode
    /// (what its credentials secret records beside the user and password).
    pub fn endpoint(&self) -> Endpoint {
        let host = match self.config.get_hosts().first() {
            Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
            #[cfg(unix)]
            Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
            None => "localhost".to_owned(),
        };
        Endpoint {
            host,
            port: self.config.get_ports().first().copied().unwrap_or(5432),
            dbname: self.config.get_dbname().map(str::to_owned),
            sslmode: self.mode.as_str(),
        }
    }

    /// Connects with the TLS the mode asks for.
    pub async fn connect(&self) -> Result<Connection, ActionError> {
        let connected = match self.mode {
            SslMode::Disable => self
                .config
                .connect(NoTls)
                .await
                .map(|(client, conn)| (client, tokio::spawn(conn))),
            mode => {
                let connector = tls::connector(mode, &self.roots, RDS_CA_BUNDLE)?;
                self.config
                    .connect(connector)
                    .await
                    .map(|(client, conn)| (client, tokio::spawn(conn)))
            }
        };
        match connected {
            Ok((client, driver)) => Ok(Connection { client, driver }),
            Err(e) if tls::is_handshake_failure(&e) => Err(ActionError::DatabaseTls {
                mode: self.mode.as_str(),
                roots: self.roots.to_string(),
                message: aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string(),
            }),
            Err(e) => Err(ActionError::database("connect", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rds_bundle_parses_into_trust_anchors() {
        let count = tls::anchors_in(RDS_CA_BUNDLE.as_bytes()).map(|roots| roots.len());
        assert_eq!(count.ok(), Some(115));
    }

    #[test]
    fn verify_full_without_sslrootcert_trusts_the_rds_bundle() {
        let target = DatabaseTarget::parse(
            "postgres://master:pw@db.abc.us-east-1.rds.amazonaws.com/app?sslmode=verify-full",
        );
        let Ok(target) = target else {
            panic!("rejected: {target:?}");
        };
        assert_eq!(target.mode, SslMode::VerifyFull);
        assert_eq!(target.roots, RootCerts::RdsBundle);
        assert_eq!(
            target.config.get_ssl_mode(),
            tokio_postgres::config::SslMode::Require
        );
    }

    #[test]
    fn a_bad_string_is_a_config_error_naming_database_url() {
        for url in [
            "host=localhost sslmode=verify-everything",
            "host=localhost port=notaport",
            "host='unterminated",
        ] {
            let error = DatabaseTarget::parse(url).err();
            assert!(
                matches!(
                    error,
                    Some(ActionError::InvalidConfig {
                        name: "DATABASE_URL",
                        ..
                    })
                ),
                "{url}: {error:?}"
            );
        }
    }
}
