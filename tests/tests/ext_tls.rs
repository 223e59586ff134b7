//! HTTPS through the SDK's own transport: a loopback TLS server with a certificate from a
//! test CA. The client verifies certificates with the platform's verifier: a certificate
//! nobody trusts is refused before the request is sent, and once the test CA is trusted
//! (`SSL_CERT_FILE`, which the verifier reads on Linux) the request goes through with its
//! token, and so does the download of a recording (through reqwest, sharing the same TLS
//! settings), without it. One test in its own binary, since it changes the process
//! environment.

mod common;

use std::sync::{Arc, Mutex};

use common::{CALL_ID, TOKEN};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use osvi_ext::{Client, Error};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

const CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/tls/ca.pem");
const CERT: &[u8] = include_bytes!("tls/leaf.pem");
const KEY: &[u8] = include_bytes!("tls/leaf.key");
/// The "recording" the server serves at `/audio/rec.mp3`.
const AUDIO: &str = "ID3-not-really-audio";

/// What the TLS server saw of one request: method, path, token header, protocol.
type Seen = Arc<Mutex<Vec<(String, String, Option<String>, String)>>>;

/// A loopback HTTPS server answering `GET /v1/call/{id}` with a call; returns its port.
async fn serve_tls(seen: Seen) -> u16 {
    let certs = vec![CertificateDer::from_pem_slice(CERT).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(KEY).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let seen = seen.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to serve.
                let Ok(tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                    let token = request
                        .headers()
                        .get("api-token")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    seen.lock().unwrap().push((
                        request.method().to_string(),
                        request.uri().path().to_string(),
                        token,
                        format!("{:?}", request.version()),
                    ));
                    let path = request.uri().path().to_string();
                    let body = if path == "/audio/rec.mp3" {
                        AUDIO.to_string()
                    } else if path.ends_with("/recording") {
                        serde_json::json!({
                            "success": true,
                            "data": {"call_id": CALL_ID,
                                     "recording_url": format!("https://localhost:{port}/audio/rec.mp3"),
                                     "expires_in_seconds": 900}
                        })
                        .to_string()
                    } else {
                        serde_json::json!({
                            "success": true,
                            "data": {"call_id": CALL_ID, "status": "picked", "duration_seconds": 42}
                        })
                        .to_string()
                    };
                    async move {
                        Ok::<_, std::convert::Infallible>(hyper::Response::new(
                            http_body_util::Full::new(bytes::Bytes::from(body)),
                        ))
                    }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    port
}

fn client(port: u16) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(format!("https://localhost:{port}"))
        .build()
        .unwrap()
}

#[tokio::test]
async fn https_is_verified_and_carries_the_request() {
    let seen = Seen::default();
    let port = serve_tls(seen.clone()).await;

    // The test CA is not trusted yet: the handshake fails, and nothing was sent.
    let err = client(port).calls().get(CALL_ID).await.unwrap_err();
    match &err {
        Error::Transport { before_sending, .. } => assert!(*before_sending, "{err:?}"),
        other => panic!("expected a transport error, got {other:?}"),
    }
    let text = err.to_string().to_lowercase();
    assert!(text.contains("certificate"), "{text}");
    assert!(seen.lock().unwrap().is_empty());

    // SAFETY: this binary has this one test, and no other thread reads the environment now.
    unsafe { std::env::set_var("SSL_CERT_FILE", CA) };
    let client = client(port);
    let call = client.calls().get(CALL_ID).await.unwrap();
    assert_eq!(call.call_id, CALL_ID);
    assert_eq!(call.duration_seconds, Some(42));
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(
            "GET".to_string(),
            format!("/v1/call/{CALL_ID}"),
            Some(TOKEN.to_string()),
            "HTTP/1.1".to_string()
        )]
    );

    // The download of a recording goes through the reqwest client the SDK built, with the
    // same TLS settings: over HTTPS too, and without the token.
    let mut audio = Vec::new();
    let written = client
        .calls()
        .download_recording(CALL_ID, &mut audio)
        .await
        .unwrap();
    assert_eq!(
        (written, audio.as_slice()),
        (AUDIO.len() as u64, AUDIO.as_bytes())
    );
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert_eq!(seen[1].1, format!("/v1/call/{CALL_ID}/recording"));
    assert_eq!(seen[1].2.as_deref(), Some(TOKEN));
    assert_eq!(
        (seen[2].1.as_str(), seen[2].2.as_deref()),
        ("/audio/rec.mp3", None)
    );
}
