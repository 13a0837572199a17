//! The rustls connector for each `sslmode` (see the table in database.rs).
//!
//! `prefer` / `require` encrypt without checking the certificate, as libpq does when it has no
//! root certificate; the handshake's signatures are still verified, so the session key belongs
//! to whoever holds the presented certificate. `verify-ca` is webpki's full verification with
//! only a host-name mismatch forgiven; `verify-full` is webpki's verification as it is.

use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::{RootCerts, SslMode};
use crate::error::ActionError;

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_config_error(reason: String) -> ActionError {
    ActionError::InvalidConfig {
        name: "DATABASE_URL",
        reason,
    }
}

/// The trust anchors in a PEM bundle; an empty or unparsable bundle is an error, not "trust
/// nothing" (which would fail every connection with a less helpful message).
pub(super) fn anchors_in(pem: &[u8]) -> Result<RootCertStore, String> {
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(pem) {
        let cert = cert.map_err(|e| format!("not a PEM certificate bundle: {e}"))?;
        roots
            .add(cert)
            .map_err(|e| format!("a certificate in the bundle is not a usable CA: {e}"))?;
    }
    if roots.is_empty() {
        return Err("the bundle holds no certificate".to_owned());
    }
    Ok(roots)
}

fn load_roots(roots: &RootCerts, rds_bundle: &str) -> Result<RootCertStore, ActionError> {
    match roots {
        RootCerts::RdsBundle => anchors_in(rds_bundle.as_bytes())
            .map_err(|e| tls_config_error(format!("the built-in RDS CA bundle: {e}"))),
        RootCerts::File(path) => {
            let pem = std::fs::read(path)
                .map_err(|e| tls_config_error(format!("sslrootcert {}: {e}", path.display())))?;
            anchors_in(&pem)
                .map_err(|e| tls_config_error(format!("sslrootcert {}: {e}", path.display())))
        }
    }
}

/// The connector for `mode` (never `Disable`, which connects without TLS).
pub(super) fn connector(
    mode: SslMode,
    roots: &RootCerts,
    rds_bundle: &str,
) -> Result<MakeRustlsConnect, ActionError> {
    let provider = provider();
    let verifier: Arc<dyn ServerCertVerifier> = match mode {
        SslMode::Disable | SslMode::Prefer | SslMode::Require => Arc::new(EncryptOnly {
            algorithms: provider.signature_verification_algorithms,
        }),
        SslMode::VerifyCa | SslMode::VerifyFull => {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::new(load_roots(roots, rds_bundle)?),
                provider.clone(),
            )
            .build()
            .map_err(|e| tls_config_error(format!("{roots}: {e}")))?;
            if mode == SslMode::VerifyCa {
                Arc::new(ChainOnly { webpki })
            } else {
                webpki
            }
        }
    };
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_config_error(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(MakeRustlsConnect::new(config))
}

/// Whether a connect error is the TLS handshake failing (a certificate refused, a protocol
/// mismatch), as opposed to the network or the server refusing us.
pub(super) fn is_handshake_failure(error: &tokio_postgres::Error) -> bool {
    // tokio-rustls reports rustls's error inside an io::Error, whose `source()` skips it.
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let inner = cause
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .map_or(cause, |inner| inner as &(dyn std::error::Error + 'static));
        if inner.downcast_ref::<rustls::Error>().is_some() {
            return true;
        }
        source = cause.source();
    }
    false
}

/// `prefer` / `require`: any certificate, but a correctly signed handshake.
#[derive(Debug)]
struct EncryptOnly {
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// `verify-ca`: webpki's verification, forgiving only a certificate issued for another name.
#[derive(Debug)]
struct ChainOnly {
    webpki: Arc<WebPkiServerVerifier>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self.webpki.verify_server_cert(
            end_entity,
            intermediates,
            server_name,
            ocsp_response,
            now,
        ) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.webpki.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.webpki.supported_verify_schemes()
    }
}
