//! PostgreSQL as RDS runs it: TLS with a CA the client must trust, and a master user that is
//! not a superuser. `support` starts the cluster that way (a throwaway CA and a server
//! certificate for `localhost` made with rcgen; `rds_master` with LOGIN CREATEROLE CREATEDB,
//! refused without TLS, owner of the `tenants` database).

mod support;

use support::{TestResult, servers, unique_subdomain};
use tenant_core::{ActionError, DatabaseTarget, Subdomain, TenantNames};

/// Connects as `url` says and reports what the server saw: (TLS in use, current user).
async fn session(url: &str) -> Result<(bool, String), ActionError> {
    let connection = DatabaseTarget::parse(url)?.connect().await?;
    let row = connection
        .client()
        .query_one(
            "SELECT ssl, current_user::text FROM pg_catalog.pg_stat_ssl \
             WHERE pid = pg_catalog.pg_backend_pid()",
            &[],
        )
        .await
        .map_err(|e| ActionError::database("pg_stat_ssl", &e));
    connection.close().await;
    let row = row?;
    Ok((row.get(0), row.get(1)))
}

fn ca(path: &std::path::Path) -> String {
    format!("sslrootcert={}", path.display())
}

#[tokio::test]
async fn verify_full_with_the_servers_ca_connects_over_tls() -> TestResult {
    let pg = &servers().postgres;
    let url = pg.master_url(
        "localhost",
        &format!("sslmode=verify-full&{}", ca(&pg.ca_pem)),
    );
    assert_eq!(session(&url).await?, (true, "rds_master".to_owned()));
    // The key=value form says the same thing.
    let key_value = format!(
        "host=localhost port={} user=rds_master password={} dbname=tenants sslmode=verify-full {}",
        pg.port,
        support::MASTER_PASSWORD,
        ca(&pg.ca_pem)
    );
    assert_eq!(session(&key_value).await?, (true, "rds_master".to_owned()));
    Ok(())
}

#[tokio::test]
async fn verify_full_with_another_ca_fails_with_a_tls_error_naming_mode_and_ca() -> TestResult {
    let pg = &servers().postgres;
    let url = pg.master_url(
        "localhost",
        &format!("sslmode=verify-full&{}", ca(&pg.other_ca_pem)),
    );
    let error = session(&url)
        .await
        .err()
        .ok_or("an untrusted server was accepted")?;
    let text = error.to_string();
    assert!(
        matches!(error, ActionError::DatabaseTls { .. }),
        "{error:?}"
    );
    assert_eq!(error.error_name(), "Tenant.DatabaseError");
    assert!(text.contains("sslmode=verify-full"), "{text}");
    assert!(text.contains("other-ca.pem"), "{text}");
    assert!(text.contains("UnknownIssuer"), "{text}");

    // verify-full without sslrootcert trusts the RDS bundle, which did not sign the test CA.
    let rds = pg.master_url("localhost", "sslmode=verify-full");
    let error = session(&rds)
        .await
        .err()
        .ok_or("the RDS bundle trusted a test CA")?;
    assert!(
        error.to_string().contains("the built-in RDS CA bundle"),
        "{error}"
    );
    Ok(())
}

#[tokio::test]
async fn verify_full_checks_the_host_name_and_verify_ca_does_not() -> TestResult {
    let pg = &servers().postgres;
    // The certificate names localhost, not 127.0.0.1.
    let full = pg.master_url(
        "127.0.0.1",
        &format!("sslmode=verify-full&{}", ca(&pg.ca_pem)),
    );
    let error = session(&full)
        .await
        .err()
        .ok_or("a certificate for another name was accepted")?;
    assert!(error.to_string().contains("NotValidForName"), "{error}");
    let chain = pg.master_url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&{}", ca(&pg.ca_pem)),
    );
    assert_eq!(session(&chain).await?, (true, "rds_master".to_owned()));
    // verify-ca still needs the right CA.
    let wrong = pg.master_url(
        "127.0.0.1",
        &format!("sslmode=verify-ca&{}", ca(&pg.other_ca_pem)),
    );
    assert!(
        session(&wrong).await.is_err(),
        "verify-ca accepted an untrusted CA"
    );
    Ok(())
}

#[tokio::test]
async fn require_and_prefer_encrypt_without_checking_and_disable_is_refused_like_force_ssl()
-> TestResult {
    let pg = &servers().postgres;
    for mode in ["require", "prefer"] {
        // An untrusted CA does not matter: these modes do not verify (as in libpq).
        let url = pg.master_url(
            "127.0.0.1",
            &format!("sslmode={mode}&{}", ca(&pg.other_ca_pem)),
        );
        assert_eq!(
            session(&url).await?,
            (true, "rds_master".to_owned()),
            "{mode}"
        );
    }
    let plain = pg.master_url("127.0.0.1", "sslmode=disable");
    let error = session(&plain)
        .await
        .err()
        .ok_or("plain text accepted for the master user")?;
    assert_eq!(error.error_name(), "Tenant.DatabaseError", "{error}");
    assert!(error.to_string().contains("28000"), "{error}");
    // The superuser may connect in plain text: disable really means no TLS.
    let admin = format!("{} sslmode=disable", servers().admin_url);
    assert_eq!(session(&admin).await?, (false, "postgres".to_owned()));
    Ok(())
}

#[tokio::test]
async fn a_missing_sslrootcert_is_a_config_error() -> TestResult {
    let pg = &servers().postgres;
    let url = pg.master_url(
        "localhost",
        "sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    );
    let error = session(&url)
        .await
        .err()
        .ok_or("a missing CA file was accepted")?;
    assert_eq!(error.error_name(), "Tenant.ConfigError", "{error}");
    assert!(error.to_string().contains("/nonexistent/ca.pem"), "{error}");
    Ok(())
}

#[tokio::test]
async fn the_master_user_is_not_a_superuser_and_cannot_authorize_a_schema_to_a_role_it_is_not_in()
-> TestResult {
    // What the code did before: CREATE ROLE, then CREATE SCHEMA ... AUTHORIZATION that role.
    // As RDS's master user that fails with 42501.
    let connection = DatabaseTarget::parse(&servers().database_url)?
        .connect()
        .await?;
    let client = connection.client();
    let me = client
        .query_one(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_catalog.pg_roles \
             WHERE rolname = current_user",
            &[],
        )
        .await?;
    assert_eq!(
        (
            me.get::<_, bool>(0),
            me.get::<_, bool>(1),
            me.get::<_, bool>(2)
        ),
        (false, true, true)
    );
    let name = unique_subdomain("old").replace('-', "_");
    client
        .batch_execute(&format!("CREATE ROLE {name}_owner NOLOGIN"))
        .await?;
    let refused = client
        .batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS tenant_{name} AUTHORIZATION {name}_owner"
        ))
        .await
        .err()
        .ok_or("a non-member authorized a schema to the role")?;
    assert_eq!(refused.code().map(|c| c.code()), Some("42501"), "{refused}");
    connection.close().await;
    Ok(())
}

#[tokio::test]
async fn create_schema_as_the_rds_master_user_over_verify_full_succeeds_twice() -> TestResult {
    let sub = unique_subdomain("rds");
    let Ok(subdomain) = Subdomain::parse(&sub) else {
        return Err(format!("bad subdomain {sub}").into());
    };
    let names = TenantNames::new(&subdomain);
    let target = DatabaseTarget::parse(&servers().database_url)?;
    let password = "tenantPassw0rdFromItsSecret";
    let first = tenant_core::provision::create_schema(&target, &names, password).await?;
    let again = tenant_core::provision::create_schema(&target, &names, password).await?;
    assert_eq!(first, again);
    let schema = names.schema();
    let owner = servers()
        .sql_strings(&format!(
            "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = '{schema}'"
        ))
        .await;
    assert_eq!(owner, [names.role()]);
    // The tenant role logs in (with a SCRAM verifier stored, never the password); the master
    // user is a member of it.
    let role = servers()
        .sql_strings(&format!(
            "SELECT rolcanlogin::text || ' ' || pg_has_role('rds_master', oid, 'MEMBER')::text \
             || ' ' || left(rolpassword, 14) FROM pg_authid WHERE rolname = '{}'",
            names.role()
        ))
        .await;
    assert_eq!(role, ["true true SCRAM-SHA-256$"]);
    // The tenant's backend: its login over verify-full, owner of its schema, nothing more.
    let tenant = target
        .with_credentials(&names.role(), password)
        .connect()
        .await?;
    tenant
        .client()
        .batch_execute(&format!(
            "CREATE TABLE \"{schema}\".orders (id int); INSERT INTO \"{schema}\".orders VALUES (1)"
        ))
        .await
        .map_err(|e| ActionError::database("tenant table", &e))?;
    let foreign = tenant
        .client()
        .batch_execute("CREATE SCHEMA not_mine")
        .await
        .err()
        .ok_or("a tenant role created a schema of its own")?;
    assert_eq!(foreign.code().map(|c| c.code()), Some("42501"), "{foreign}");
    tenant.close().await;
    let wrong = target
        .with_credentials(&names.role(), "not-the-password")
        .connect()
        .await
        .err()
        .ok_or("a wrong password logged in")?;
    assert!(wrong.to_string().contains("28P01"), "{wrong}");
    Ok(())
}
