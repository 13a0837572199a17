//! create_schema: a per-tenant PostgreSQL schema owned by a per-tenant role.
//!
//! Two layers keep SQL injection out: the names come from a validated subdomain (`naming`), and
//! `SqlIdent` re-checks them against a strict pattern and always double-quotes them. Role and
//! schema names cannot be bind parameters in DDL, hence the quoting; the existence check does use
//! a bind parameter.
//!
//! The connection honours DATABASE_URL's `sslmode` (database.rs: verify-full against the RDS CA
//! bundle on RDS).
//!
//! RDS's master user is not a superuser: it has CREATEROLE and CREATEDB and owns the database
//! it created. PostgreSQL lets `CREATE SCHEMA ... AUTHORIZATION r` (and any later change to the
//! schema) only to a member of `r`, so the master user first grants the tenant role to itself
//! (what RDS's documentation on the master user and rds_superuser leads to; PostgreSQL 15 lets a
//! CREATEROLE user grant any non-superuser role, 16+ gives the role's creator ADMIN on it). The
//! membership is kept: deprovisioning drops the schema and the role with it. A superuser is a
//! member of every role already and grants nothing.

use std::sync::LazyLock;

use regex_lite::Regex;
use serde::Serialize;
use tokio_postgres::error::SqlState;

use crate::database::DatabaseTarget;
use crate::error::ActionError;
use crate::naming::TenantNames;

static IDENT_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[a-z][a-z0-9_]{0,62}$").ok());

/// An SQL identifier that matched `^[a-z][a-z0-9_]{0,62}$`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqlIdent(String);

impl SqlIdent {
    pub fn new(name: &str) -> Result<Self, ActionError> {
        if IDENT_RE.as_ref().is_some_and(|re| re.is_match(name)) {
            Ok(Self(name.to_owned()))
        } else {
            Err(ActionError::UnsafeIdentifier {
                identifier: name.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identifier double-quoted, with any quote doubled (none can pass `new`; this is the
    /// second lock on the door).
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0.replace('"', "\"\""))
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SchemaDetails {
    pub schema: String,
    pub role: String,
    /// The tenant's credentials secret (its ARN, never its value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_arn: Option<String>,
}

/// Creates the tenant's login role and schema if missing, grants the role the schema, and sets
/// the role's password to `login_password` (the one in the tenant's secret). The server is sent
/// a SCRAM-SHA-256 verifier, not the password: statement logging (`log_statement`) and
/// pg_stat_statements never see it.
pub async fn create_schema(
    database: &DatabaseTarget,
    names: &TenantNames,
    login_password: &str,
) -> Result<SchemaDetails, ActionError> {
    let schema = SqlIdent::new(&names.schema())?;
    let role = SqlIdent::new(&names.role())?;
    let connection = database.connect().await?;
    let client = connection.client();

    let result = async {
        // Racing retries of one tenant (Step Functions may run an action twice at once) would
        // otherwise interleave their catalog updates: concurrent GRANTs on one schema fail with
        // XX000 "tuple concurrently updated". A session advisory lock keyed by the schema name
        // serialises them; it is released when the connection closes below.
        client
            .execute(
                "SELECT pg_catalog.pg_advisory_lock(pg_catalog.hashtext($1))",
                &[&format!("flowc-tenant-schema:{}", schema.as_str())],
            )
            .await
            .map_err(|e| ActionError::database("advisory lock", &e))?;
        let exists = client
            .query_opt(
                "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
                &[&role.as_str()],
            )
            .await
            .map_err(|e| ActionError::database("role lookup", &e))?;
        // A verifier is base64 and `$`/`:` only: nothing in it needs escaping in a literal.
        let verifier = postgres_protocol::password::scram_sha_256(login_password.as_bytes());
        if exists.is_none() {
            let create = format!("CREATE ROLE {} LOGIN PASSWORD '{verifier}'", role.quoted());
            if let Err(e) = client.batch_execute(&create).await
                && !already_exists(&e)
            {
                return Err(ActionError::database("CREATE ROLE", &e));
            }
        }
        // Always (also after a racing create): the role's password is the secret's, and a role
        // left NOLOGIN by an older release gets its login.
        let login = format!("ALTER ROLE {} LOGIN PASSWORD '{verifier}'", role.quoted());
        client
            .batch_execute(&login)
            .await
            .map_err(|e| ActionError::database("ALTER ROLE ... LOGIN", &e))?;
        let member = client
            .query_one(
                "SELECT pg_catalog.pg_has_role(current_user, $1::text, 'MEMBER')",
                &[&role.as_str()],
            )
            .await
            .and_then(|row| row.try_get::<_, bool>(0))
            .map_err(|e| ActionError::database("role membership lookup", &e))?;
        if !member {
            let grant = format!("GRANT {} TO CURRENT_USER", role.quoted());
            client
                .batch_execute(&grant)
                .await
                .map_err(|e| ActionError::database("GRANT role to the current user", &e))?;
        }
        let create_schema = format!(
            "CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}",
            schema.quoted(),
            role.quoted()
        );
        if let Err(e) = client.batch_execute(&create_schema).await
            && !already_exists(&e)
        {
            return Err(ActionError::database("CREATE SCHEMA", &e));
        }
        let grants = format!(
            "REVOKE ALL ON SCHEMA {s} FROM PUBLIC; GRANT USAGE, CREATE ON SCHEMA {s} TO {r}",
            s = schema.quoted(),
            r = role.quoted()
        );
        client
            .batch_execute(&grants)
            .await
            .map_err(|e| ActionError::database("GRANT", &e))?;
        Ok(SchemaDetails {
            schema: schema.as_str().to_owned(),
            role: role.as_str().to_owned(),
            secret_arn: None,
        })
    }
    .await;
    connection.close().await;
    result
}

/// Two concurrent first runs can both pass the existence checks: the loser sees a duplicate
/// (role: 42710, or the catalog's unique index: 23505). Either way the object now exists.
fn already_exists(error: &tokio_postgres::Error) -> bool {
    matches!(error.code(), Some(code) if *code == SqlState::DUPLICATE_OBJECT || *code == SqlState::UNIQUE_VIOLATION || *code == SqlState::DUPLICATE_SCHEMA)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_outside_the_pattern_are_refused() {
        for bad in [
            "",
            "Tenant",
            "1abc",
            "a-b",
            "a\"b",
            "a; DROP TABLE x",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(SqlIdent::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            SqlIdent::new("tenant_acme_owner")
                .map(|i| i.quoted())
                .ok()
                .as_deref(),
            Some("\"tenant_acme_owner\"")
        );
    }
}
